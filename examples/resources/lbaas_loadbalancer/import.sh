# A load balancer is imported by its ID.
terraform import lbaas_loadbalancer.web 5d1e1a4c-0a8b-4c39-9d61-6c9a3e0c2b11
