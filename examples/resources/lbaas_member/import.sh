# A member is imported as "<pool_id>/<member_id>".
terraform import lbaas_member.spare 4e1f3d2c-9a8b-4c7d-8e6f-5a4b3c2d1e0f/8a7b6c5d-4e3f-4a2b-9c1d-0e9f8a7b6c5d
