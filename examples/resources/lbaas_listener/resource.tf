# An HTTP listener that tells the members who the client is, with longer
# client and member timeouts (milliseconds) and a connection cap.
resource "lbaas_listener" "http" {
  name                = "web-http"
  loadbalancer_id     = lbaas_loadbalancer.web.id
  protocol            = "HTTP"
  protocol_port       = 80
  connection_limit    = 5000
  timeout_client_data = 60000
  timeout_member_data = 60000

  insert_headers = {
    "X-Forwarded-For"   = "true"
    "X-Forwarded-Proto" = "true"
  }
}

# A TCP listener reachable only from two networks.
resource "lbaas_listener" "ssh" {
  name            = "bastion"
  loadbalancer_id = lbaas_loadbalancer.web.id
  protocol        = "TCP"
  protocol_port   = 2222
  allowed_cidrs   = ["192.0.2.0/24", "198.51.100.0/24"]
}

# TLS terminated on the load balancer with a certificate stored in Barbican.
resource "lbaas_listener" "https" {
  name                      = "web-https"
  loadbalancer_id           = lbaas_loadbalancer.web.id
  protocol                  = "TERMINATED_HTTPS"
  protocol_port             = 443
  default_tls_container_ref = "https://barbican.example.com:9311/v1/containers/0c2a8b5e-7f1d-4a52-9f57-51b1c2f3d4e5"
  tls_versions              = ["TLSv1.2", "TLSv1.3"]
  alpn_protocols            = ["h2", "http/1.1"]
}
