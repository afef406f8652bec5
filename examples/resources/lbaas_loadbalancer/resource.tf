# A load balancer with its VIP on a subnet. Listeners, pools and members are
# separate resources that refer to it.
resource "lbaas_loadbalancer" "web" {
  name          = "web"
  description   = "Public web front end"
  vip_subnet_id = var.vip_subnet_id
  tags          = ["web", "production"]

  timeouts = {
    create = "30m"
  }
}

# A fixed VIP address; cascade_delete also removes listeners and pools that
# Terraform does not manage when the load balancer is destroyed.
resource "lbaas_loadbalancer" "internal" {
  name           = "internal"
  vip_subnet_id  = var.vip_subnet_id
  vip_address    = "192.0.2.50"
  cascade_delete = true
}

variable "vip_subnet_id" {
  type = string
}

output "web_vip" {
  value = lbaas_loadbalancer.web.vip_address
}
