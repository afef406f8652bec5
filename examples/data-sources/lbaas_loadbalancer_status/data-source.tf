# Assert after every plan and apply that every member is healthy (a failed
# check is a warning, it does not stop the run).
check "members_healthy" {
  data "lbaas_loadbalancer_status" "web_health" {
    loadbalancer_id = lbaas_loadbalancer.web.id
  }

  assert {
    condition = alltrue([
      for m in data.lbaas_loadbalancer_status.web_health.members : m.operating_status == "ONLINE"
    ])
    error_message = format("Members not ONLINE: %s", join(", ", [
      for m in data.lbaas_loadbalancer_status.web_health.members :
      "${m.address}:${m.protocol_port} is ${m.operating_status}" if m.operating_status != "ONLINE"
    ]))
  }
}

# Or fail the run: a postcondition on a data source outside a check block is
# an error.
data "lbaas_loadbalancer_status" "web" {
  loadbalancer_id = lbaas_loadbalancer.web.id
  depends_on      = [lbaas_member.web]

  lifecycle {
    postcondition {
      condition     = self.provisioning_status == "ACTIVE"
      error_message = "The load balancer is ${self.provisioning_status}."
    }
  }
}

# The whole tree: listeners → pools → health monitor and members.
output "pool_health" {
  value = {
    for pair in flatten([
      for l in data.lbaas_loadbalancer_status.web.listeners : [
        for p in l.pools : { key = "${l.name}/${p.name}", status = p.operating_status }
      ]
    ]) : pair.key => pair.status
  }
}
