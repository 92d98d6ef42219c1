#!/usr/bin/env bash
# Makes development certificates: a CA, a server certificate for localhost /
# 127.0.0.1, and one client certificate per example partner system, each
# naming the system in a SAN URI (spiffe://iomhub.dev/<system>) that
# deploy/config/principals.textproto maps to a principal. Also makes an
# "unknown" client (valid CA, no principal) and a client signed by a
# different "rogue" CA, for tests. NEVER use these outside development.
#   deploy/dev-certs.sh [OUT_DIR]   (default: deploy/dev-certs/out)
set -euo pipefail
OUT="${1:-$(dirname "$0")/dev-certs/out}"
mkdir -p "$OUT"
cd "$OUT"

SYSTEMS=(gwent-police-niche south-wales-police-niche dyfed-powys-police-niche north-wales-police-niche iom-dashboard wales-probation-ndelius south-wales-probation-ndelius dyfed-powys-probation-ndelius north-wales-probation-ndelius cardiff-housing cardiff-health newport-housing aneurin-bevan-health carmarthenshire-housing wrexham-housing hywel-dda-health betsi-cadwaladr-health hmp-cardiff working-wales hub-admin ico-auditor unknown-system)
# Done before with the same systems: nothing to do. (A new system makes a
# fresh set, so older outputs never lack one.)
if [ -f .complete ] && [ "$(cat .complete)" = "${SYSTEMS[*]}" ]; then exit 0; fi
DAYS=825

make_ca() {  # name
  openssl req -x509 -newkey rsa:2048 -nodes -keyout "$1.key" -out "$1.pem" -days 3650 \
    -subj "/O=iomhub development/CN=$1" >/dev/null 2>&1
}

make_leaf() {  # name ca san extended_key_usage
  local name=$1 ca=$2 san=$3 eku=$4
  openssl req -newkey rsa:2048 -nodes -keyout "$name.key" -out "$name.csr" \
    -subj "/O=iomhub development/CN=$name" >/dev/null 2>&1
  printf 'subjectAltName=%s\nextendedKeyUsage=%s\nbasicConstraints=CA:FALSE\nkeyUsage=digitalSignature,keyEncipherment\n' \
    "$san" "$eku" > "$name.ext"
  openssl x509 -req -in "$name.csr" -CA "$ca.pem" -CAkey "$ca.key" -CAcreateserial \
    -out "$name.pem" -days $DAYS -extfile "$name.ext" >/dev/null 2>&1
  rm -f "$name.csr" "$name.ext"
}

make_ca ca
make_ca rogue-ca
make_leaf server ca "DNS:localhost,IP:127.0.0.1,IP:::1" serverAuth
for s in "${SYSTEMS[@]}"; do
  make_leaf "$s" ca "URI:spiffe://iomhub.dev/$s" clientAuth
done
make_leaf rogue-client rogue-ca "URI:spiffe://iomhub.dev/gwent-police-niche" clientAuth
chmod 600 ./*.key
echo "${SYSTEMS[*]}" > .complete
echo "dev-certs: wrote development certificates to $(pwd)"
