# The "api" policy acts on requests whose path starts with /api/.
resource "lbaas_l7rule" "api_path" {
  l7policy_id  = lbaas_l7policy.api.id
  type         = "PATH"
  compare_type = "STARTS_WITH"
  value        = "/api/"
}

# The "old-host" policy acts on requests for old.example.com.
resource "lbaas_l7rule" "old_host" {
  l7policy_id  = lbaas_l7policy.old_host.id
  type         = "HOST_NAME"
  compare_type = "EQUAL_TO"
  value        = "old.example.com"
}

# The "admin" policy rejects /admin requests without a session cookie: all
# rules of a policy must match, and invert negates one.
resource "lbaas_l7rule" "admin_path" {
  l7policy_id  = lbaas_l7policy.admin.id
  type         = "PATH"
  compare_type = "REGEX"
  value        = "^/admin(/|$)"
}

resource "lbaas_l7rule" "admin_session" {
  l7policy_id  = lbaas_l7policy.admin.id
  type         = "COOKIE"
  compare_type = "REGEX"
  key          = "session"
  value        = ".+"
  invert       = true
}
