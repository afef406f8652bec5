# The health monitor of a pool.
data "lbaas_monitor" "web" {
  pool_id = data.lbaas_pool.web.id
}

data "lbaas_pool" "web" {
  name = "web"
}

output "health_check" {
  value = "${data.lbaas_monitor.web.type} ${data.lbaas_monitor.web.url_path} every ${data.lbaas_monitor.web.delay}s"
}
