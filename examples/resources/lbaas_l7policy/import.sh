# An L7 policy is imported by its ID.
terraform import lbaas_l7policy.api 9d3a0d1e-6b4f-4e8a-a1c5-2f7b8e9c0d12
