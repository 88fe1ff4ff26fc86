
source "virtualbox-iso" "ubuntu-1204" {}
source "virtualbox-iso" "ubuntu-1204" {}
