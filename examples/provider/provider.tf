# Against lbaasd on its embedded default (no Keystone).
provider "lbaas" {}
