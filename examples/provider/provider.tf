# Credentials from the "mycloud" entry of clouds.yaml (./clouds.yaml,
# ~/.config/openstack/clouds.yaml or /etc/openstack/clouds.yaml). Every
# setting can also come from the OS_* environment variables the OpenStack CLI
# uses (OS_CLOUD, OS_AUTH_URL, OS_USERNAME, …): an empty `provider "lbaas" {}`
# works with an openrc sourced.
provider "lbaas" {
  cloud  = "mycloud"
  region = "RegionOne"
}

# Against lbaasd without Keystone (its embedded default): no credentials, the
# Octavia API endpoint given directly.
#
# provider "lbaas" {
#   auth_type = "none"
#   endpoint  = "http://127.0.0.1:9876"
# }
