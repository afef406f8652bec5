# A pool is imported by its ID.
terraform import lbaas_pool.web 4e1f3d2c-9a8b-4c7d-8e6f-5a4b3c2d1e0f
