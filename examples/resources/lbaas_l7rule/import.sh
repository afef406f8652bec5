# An L7 rule is imported by its policy's ID and its own: <l7policy_id>/<rule_id>.
terraform import lbaas_l7rule.api_path 9d3a0d1e-6b4f-4e8a-a1c5-2f7b8e9c0d12/5c1e7a2b-3d4f-4a6b-9c8d-0e1f2a3b4c5d
