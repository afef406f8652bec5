# One member per backend server. Members of one load balancer may be
# created in parallel: the provider queues their writes on the load balancer.
resource "lbaas_member" "web" {
  count = 3

  name          = "web-${count.index}"
  pool_id       = lbaas_pool.web.id
  address       = "192.0.2.${10 + count.index}"
  protocol_port = 8080
  subnet_id     = "9d7c6b5a-4e3f-4a2b-8c1d-0e9f8a7b6c5d"
}

# A backup member with its own health check port, drained (weight 0).
resource "lbaas_member" "spare" {
  name          = "web-spare"
  pool_id       = lbaas_pool.web.id
  address       = "192.0.2.99"
  protocol_port = 8080
  weight        = 0
  backup        = true
  monitor_port  = 8081
  tags          = ["spare"]
}
