# The member set of a pool is imported by the pool's ID (additive_only = false:
# every member of the pool).
terraform import lbaas_members.web 4e1f3d2c-9a8b-4c7d-8e6f-5a4b3c2d1e0f
