# A health monitor is imported by its ID.
terraform import lbaas_monitor.web 2c3d4e5f-6a7b-4c8d-9e0f-1a2b3c4d5e6f
