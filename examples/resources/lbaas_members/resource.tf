variable "backends" {
  description = "Backend servers: address => weight."
  type        = map(number)
  default = {
    "192.0.2.10" = 10
    "192.0.2.11" = 10
    "192.0.2.12" = 5
  }
}

# The whole member set of the pool, written in one batch request. Members
# added to the pool by other means are removed by the next apply, and
# destroying this resource removes every member of the pool.
resource "lbaas_members" "web" {
  pool_id = lbaas_pool.web.id

  members = {
    for address, weight in var.backends : "${address}:8080" => {
      weight = weight
      name   = "web-${address}"
    }
  }
}

# With additive_only, only the listed members are managed: others (added by
# an autoscaler, say) are left alone, and destroying it deletes only these.
resource "lbaas_members" "canary" {
  pool_id       = lbaas_pool.web.id
  additive_only = true

  members = {
    "192.0.2.50:8080"     = { weight = 1, tags = ["canary"] }
    "[2001:db8::50]:8080" = { weight = 1, tags = ["canary"] }
  }
}
