# The HEADER rule of a policy (exactly one rule must match; with no filter,
# the policy must have exactly one rule).
data "lbaas_l7rule" "canary" {
  l7policy_id = var.l7policy_id
  type        = "HEADER"
  key         = "X-Canary"
}

output "canary_value" {
  value = data.lbaas_l7rule.canary.value
}
