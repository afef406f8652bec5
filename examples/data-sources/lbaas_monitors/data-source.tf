# Every HTTP health monitor.
data "lbaas_monitors" "http" {
  type = "HTTP"
}

output "http_monitor_pools" {
  value = [for m in data.lbaas_monitors.http.monitors : m.pool_id]
}
