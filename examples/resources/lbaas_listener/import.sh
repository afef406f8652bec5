# A listener is imported by its ID.
terraform import lbaas_listener.http 7b0f6b1e-3f2e-4e0c-a3a8-1f2d3c4b5a69
