#!/usr/bin/env bash
# acc-env.sh - print the environment the provider's acceptance suite needs to
# run against the OpenStack of up.sh (no root needed once it is up):
#
#   eval "$(bash testenv/openstack/acc-env.sh)"
#   TF_ACC=1 go test ./resources/ ./datasources/      # or: make testacc-octavia
#
# It checks that Keystone, Neutron and Octavia answer, looks up the VIP
# subnet, and prints:
#   OS_CLIENT_CONFIG_FILE  up.sh's clouds.yaml
#   OS_CLOUD               devstack: user demo in project demo with the roles
#                          member and load-balancer_member, what a tenant has.
#                          The resources and data sources need no admin
#                          (amphora and failover APIs are admin-only; nothing
#                          in the suite calls them). LBAAS_ACC_CLOUD overrides.
#   LBAAS_ACC_TARGET=octavia
#   LBAAS_ACC_VIP_SUBNET_ID  the ID of "private-subnet" (10.0.0.0/24)
#   LBAAS_ACC_MEMBER_ADDRESS 10.0.0.50: any address of that subnet will do,
#                          the no-op amphora driver sends no traffic
# and unsets every other OS_* variable of the caller (an OS_ENDPOINT or
# OS_AUTH_TYPE=none left from lbaasd would win over the cloud).
# Exits non-zero, printing nothing on stdout, when the cloud does not answer.
set -euo pipefail
ROOT=${OSENV_ROOT:-/var/lib/openstack-env}
CLOUD=${LBAAS_ACC_CLOUD:-devstack}
CFG=$ROOT/clouds.yaml
SUBNET=private-subnet
MEMBER=10.0.0.50

die() { echo "acc-env: $*" >&2; exit 1; }
[ -r "$CFG" ] || die "$CFG is missing or unreadable: start the cloud first (sudo bash $(dirname "$0")/up.sh)"

# One python process (openstacksdk, as up.sh uses) instead of several slow CLI
# calls: the token proves Keystone, the subnet Neutron, the provider list Octavia.
err=$(mktemp)
trap 'rm -f "$err"' EXIT
subnet_id=$(env -u PYTHONPATH -u PYTHONHOME OS_CLIENT_CONFIG_FILE="$CFG" ACC_CLOUD="$CLOUD" ACC_SUBNET="$SUBNET" \
  /usr/bin/python3 - 2>"$err" <<'PYEOF'
import os, sys
import openstack
try:
    c = openstack.connect(cloud=os.environ["ACC_CLOUD"])
    s = c.network.find_subnet(os.environ["ACC_SUBNET"], ignore_missing=False)
    list(c.load_balancer.providers())
except Exception as e:  # noqa: BLE001 - any failure means "not usable"
    sys.exit("%s: %s" % (type(e).__name__, e))
print(s.id)
PYEOF
) || die "the cloud $CLOUD of $CFG does not answer: $(tail -1 "$err") (is up.sh's OpenStack running? sudo bash $(dirname "$0")/up.sh)"

for v in $(compgen -e); do
  case $v in OS_CLIENT_CONFIG_FILE|OS_CLOUD) ;; OS_*) echo "unset $v" ;; esac
done
cat <<EOF
export OS_CLIENT_CONFIG_FILE=$CFG
export OS_CLOUD=$CLOUD
export LBAAS_ACC_TARGET=octavia
export LBAAS_ACC_VIP_SUBNET_ID=$subnet_id
export LBAAS_ACC_MEMBER_ADDRESS=$MEMBER
EOF
