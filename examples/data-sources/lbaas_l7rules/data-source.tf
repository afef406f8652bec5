# Every rule of a policy.
data "lbaas_l7rules" "api" {
  l7policy_id = var.l7policy_id
}

output "api_rules" {
  value = [for r in data.lbaas_l7rules.api.rules : "${r.type} ${r.compare_type} ${r.value}"]
}
