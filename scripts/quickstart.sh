#!/usr/bin/env bash
# quickstart.sh up|down - what `make quickstart` and `make quickstart-down` run
# after `make deps build`.
#
# up: starts lbaasd in the background (data under .quickstart/), two demo HTTP
# backends on 127.0.0.1, applies examples/quickstart with the provider just
# built in bin/ (dev_overrides: no registry, no `terraform init`), waits until
# the VIP answers and prints six responses. Idempotent: a second run reuses
# what still runs and re-applies (no changes).
# down: terraform destroy, stops the backends and lbaasd, makes sure no
# amphora-agent or HAProxy of that data dir is left, removes .quickstart/.
#
# Everything lives in .quickstart/:
#   lbaasd.pid lbaasd.url lbaasd.log   the daemon (its data dir is .quickstart/d,
#                                      or a short path it links to: see data_dir)
#   backend<N>/ backend<N>.{pid,port,log}  the demo backends
#   terraformrc                        dev_overrides for lbaas/lbaas -> bin/
#   tf/                                a copy of examples/quickstart, its
#                                      terraform.tfvars.json and its state
#
# Knobs (environment): LBAAS_QUICKSTART_API_PORT (lbaasd's API port; default:
# the first free one from 19876), LBAAS_QUICKSTART_SUBNET (the local subnet VIPs
# come from; default 127.79.0.0/24, away from lbaasd's default 127.77.0.0/16 so
# another lbaasd on this machine never hands out the same VIP),
# LBAAS_QUICKSTART_LISTENER_PORT (default 8080; below 1024 needs root).
set -euo pipefail

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
QS=$REPO/.quickstart
BIN=$REPO/bin
SUBNET=${LBAAS_QUICKSTART_SUBNET:-127.79.0.0/24}
LISTENER_PORT=${LBAAS_QUICKSTART_LISTENER_PORT:-8080}
BACKENDS=2
# HAProxy's master socket lives at <data dir>/a/<12 chars>/lb/<36-char LB id>/master.sock
# and the agent refuses socket paths over 94 bytes: 94 - 67, the data dir may have 27.
MAX_DATA_DIR=27

say() { echo "quickstart: $*"; }
die() { echo "quickstart: ERROR: $*" >&2; exit 1; }

# alive PIDFILE WORD: the recorded process runs and its command line has WORD
# (so a recycled PID is never taken for ours).
alive() {
  local pid
  [ -s "$1" ] || return 1
  pid=$(cat "$1")
  grep -qsaF -- "$2" "/proc/$pid/cmdline"
}
port_in_use() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
free_port() {  # free_port FIRST: the first port from FIRST nothing listens on
  local p
  for ((p = $1; p < $1 + 500; p++)); do port_in_use "$p" || { echo "$p"; return; }; done
  die "no free port in $1..$(($1 + 499))"
}
# stop_pid PID WORD: SIGTERM, wait up to 20 s, SIGKILL; only if the command line has WORD.
stop_pid() {
  local pid=$1 i
  grep -qsaF -- "$2" "/proc/$pid/cmdline" || return 0
  kill -TERM "$pid" 2>/dev/null || return 0
  for ((i = 0; i < 200; i++)); do kill -0 "$pid" 2>/dev/null || return 0; sleep 0.1; done
  kill -KILL "$pid" 2>/dev/null || true
}
# pids_under DIR: live processes whose command line mentions DIR (amphora
# agents and their HAProxies run with paths below lbaasd's data dir).
pids_under() {
  local f pid
  # The pattern comes from a file so that grep's own command line has no DIR.
  grep -lsaF -f <(printf '%s/\n' "$1") /proc/[0-9]*/cmdline | while read -r f; do
    pid=${f#/proc/}
    echo "${pid%/cmdline}"
  done
  return 0
}
tf() {  # tf COMMAND ARGS...: terraform in .quickstart/tf (colours only on a terminal)
  local cmd=$1; shift
  [ -t 1 ] || set -- -no-color "$@"
  TF_CLI_CONFIG_FILE="$QS/terraformrc" TF_IN_AUTOMATION=1 terraform -chdir="$QS/tf" "$cmd" "$@"
}

# data_dir: lbaasd's data dir, short enough for HAProxy's UNIX sockets.
data_dir() {
  local want=$QS/d short
  if [ -L "$want" ]; then readlink "$want"; return; fi
  if [ ${#want} -le $MAX_DATA_DIR ]; then echo "$want"; return; fi
  # one per user and checkout, short: /tmp/lbqs-<uid>-<6 hex of the checkout's path>
  short=/tmp/lbqs-$(id -u)-$(printf '%s' "$REPO" | sha256sum | cut -c1-6)
  [ ${#short} -le $MAX_DATA_DIR ] || die "no short data dir for lbaasd ($short is over $MAX_DATA_DIR bytes)"
  echo "$short"
}

up() {
  command -v terraform >/dev/null || die "terraform is not on PATH (Terraform >= 1.11 is needed; see https://developer.hashicorp.com/terraform/install)"
  local need=()
  command -v curl >/dev/null || need+=(curl)
  command -v python3 >/dev/null || need+=(python3)
  if [ ${#need[@]} -gt 0 ]; then
    if [ "$(id -u)" = 0 ]; then
      say "installing ${need[*]} (apt-get)"
      apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
    else
      die "missing ${need[*]}: run  sudo apt-get install -y ${need[*]}  then make quickstart again"
    fi
  fi
  for b in lbaasd amphora-agent terraform-provider-lbaas; do
    [ -x "$BIN/$b" ] || die "$BIN/$b is missing: run make build"
  done

  mkdir -p "$QS"
  chmod 700 "$QS"
  local data; data=$(data_dir)
  if [ "$data" != "$QS/d" ] && [ ! -L "$QS/d" ]; then
    say "$QS/d is too long a path for HAProxy's UNIX sockets (> $MAX_DATA_DIR bytes): lbaasd's data dir is $data, linked from .quickstart/d"
    if [ -e "$data" ] && { [ -L "$data" ] || [ "$(stat -c %u "$data")" != "$(id -u)" ]; }; then
      die "$data exists and is not a directory of yours: remove it"
    fi
    [ -d "$data" ] || mkdir -m 700 "$data"
    ln -sfn "$data" "$QS/d"
  fi
  [ -d "$data" ] || mkdir -m 700 "$data"

  # lbaasd: reuse a running one.
  local url
  if alive "$QS/lbaasd.pid" "$data" && url=$(cat "$QS/lbaasd.url" 2>/dev/null) && curl -fsS -o /dev/null "$url/healthcheck"; then
    say "lbaasd already running (pid $(cat "$QS/lbaasd.pid"), $url)"
  else
    local port=${LBAAS_QUICKSTART_API_PORT:-$(free_port 19876)}
    url=http://127.0.0.1:$port
    setsid "$BIN/lbaasd" serve --listen "127.0.0.1:$port" --data-dir "$data" --subnet "$SUBNET" \
      --agent-bin "$BIN/amphora-agent" --health-listen 127.0.0.1:0 >> "$QS/lbaasd.log" 2>&1 < /dev/null &
    echo $! > "$QS/lbaasd.pid"
    echo "$url" > "$QS/lbaasd.url"
    local i
    for ((i = 0; i < 300; i++)); do
      curl -fsS -o /dev/null "$url/healthcheck" 2>/dev/null && break
      alive "$QS/lbaasd.pid" "$data" || { tail -20 "$QS/lbaasd.log" >&2; die "lbaasd exited (log: $QS/lbaasd.log)"; }
      sleep 0.1
    done
    curl -fsS -o /dev/null "$url/healthcheck" || { tail -20 "$QS/lbaasd.log" >&2; die "lbaasd does not answer on $url"; }
    say "lbaasd started (pid $(cat "$QS/lbaasd.pid"), $url, data in $data, log in .quickstart/lbaasd.log)"
  fi
  local subnet_id
  subnet_id=$("$BIN/lbaasd" subnets --data-dir "$data" --subnet "$SUBNET" | awk 'NR == 1 {print $1}')
  [ -n "$subnet_id" ] || die "lbaasd subnets printed nothing"

  # Demo backends: python3's http.server, one directory each.
  local n members=()
  for ((n = 1; n <= BACKENDS; n++)); do
    local dir=$QS/backend$n port
    mkdir -p "$dir"
    echo "hello from backend $n" > "$dir/index.html"
    if alive "$QS/backend$n.pid" "$dir" && port=$(cat "$QS/backend$n.port") && curl -fsS -o /dev/null "http://127.0.0.1:$port/"; then
      :
    else
      port=$(free_port $((18080 + n)))
      setsid python3 -m http.server "$port" --bind 127.0.0.1 --directory "$dir" >> "$QS/backend$n.log" 2>&1 < /dev/null &
      echo $! > "$QS/backend$n.pid"
      echo "$port" > "$QS/backend$n.port"
      local i
      for ((i = 0; i < 100; i++)); do curl -fsS -o /dev/null "http://127.0.0.1:$port/" 2>/dev/null && break; sleep 0.1; done
      curl -fsS -o /dev/null "http://127.0.0.1:$port/" || die "backend $n does not answer on 127.0.0.1:$port (log: $QS/backend$n.log)"
      say "backend $n started on 127.0.0.1:$port (pid $(cat "$QS/backend$n.pid"))"
    fi
    members+=("\"127.0.0.1:$port\"")
  done

  # Terraform: the freshly built provider through dev_overrides (no init).
  cat > "$QS/terraformrc" <<EOF
provider_installation {
  dev_overrides {
    "lbaas/lbaas" = "$BIN"
  }
  direct {}
}
EOF
  mkdir -p "$QS/tf"
  rm -f "$QS"/tf/*.tf
  cp "$REPO"/examples/quickstart/*.tf "$QS/tf/"
  local IFS=,
  cat > "$QS/tf/terraform.tfvars.json" <<EOF
{
  "endpoint": "$url",
  "vip_subnet_id": "$subnet_id",
  "backends": [${members[*]}],
  "listener_port": $LISTENER_PORT
}
EOF
  unset IFS
  say "terraform apply (examples/quickstart, state in .quickstart/tf)"
  if ! tf apply -auto-approve -input=false -compact-warnings; then
    echo "--- end of .quickstart/lbaasd.log:" >&2
    tail -20 "$QS/lbaasd.log" >&2
    die "terraform apply failed"
  fi

  local vip_url
  vip_url=$(tf output -raw url)
  local i
  for ((i = 0; i < 300; i++)); do curl -fsS -o /dev/null "$vip_url" 2>/dev/null && break; sleep 0.1; done
  curl -fsS -o /dev/null "$vip_url" || die "the VIP does not answer on $vip_url (log: $QS/lbaasd.log)"
  echo
  echo "Six requests to $vip_url (ROUND_ROBIN over the two backends):"
  for ((i = 1; i <= 6; i++)); do
    echo "  $i: $(curl -fsS "$vip_url")"
  done
  cat <<EOF

lbaasd API: $url  (export OS_AUTH_TYPE=none OS_ENDPOINT=$url; openstack loadbalancer list)
Terraform:  TF_CLI_CONFIG_FILE=.quickstart/terraformrc terraform -chdir=.quickstart/tf plan
Tear down:  make quickstart-down
EOF
}

down() {
  if [ ! -e "$QS" ]; then say "nothing to tear down (.quickstart/ does not exist)"; return; fi
  local data; data=$(data_dir)
  if [ -s "$QS/tf/terraform.tfstate" ] && alive "$QS/lbaasd.pid" "$data"; then
    say "terraform destroy"
    tf destroy -auto-approve -input=false -compact-warnings || say "terraform destroy failed: the processes are stopped anyway"
  fi
  local n
  for ((n = 1; n <= BACKENDS; n++)); do
    [ -s "$QS/backend$n.pid" ] && stop_pid "$(cat "$QS/backend$n.pid")" "$QS/backend$n" && say "backend $n stopped"
  done
  if [ -s "$QS/lbaasd.pid" ]; then
    stop_pid "$(cat "$QS/lbaasd.pid")" "$data"
    say "lbaasd stopped"
  fi
  # Amphorae outlive lbaasd by design: whatever still runs from its data dir goes.
  local left=() i
  for ((i = 0; i < 50; i++)); do
    mapfile -t left < <(pids_under "$data")
    [ ${#left[@]} = 0 ] && break
    [ "$i" = 0 ] && say "stopping what still runs from $data: ${left[*]}"
    kill -TERM "${left[@]}" 2>/dev/null || true
    [ "$i" -ge 30 ] && { kill -KILL "${left[@]}" 2>/dev/null || true; }
    sleep 0.1
  done
  [ -z "$(pids_under "$data")" ] || die "processes under $data survive SIGKILL: $(pids_under "$data")"
  if [ "$data" != "$QS/d" ]; then rm -rf "$data"; fi
  rm -rf "$QS"
  say "removed .quickstart/"
}

case ${1:-up} in
  up) up ;;
  down) down ;;
  *) die "usage: $0 up|down" ;;
esac
