#!/usr/bin/env bash
# `make demo`: runs iomhubd with mTLS (development certificates) and the
# shipped sharing agreements, appends the demo events as three partner
# systems would, reads them back, shows a live subscription, the person's
# live case view as police and as probation (found by each agency's own
# identifier), the team's cohort list, the views' state, what Newport
# housing may see of the same person (no arrest, no police identifiers), the
# agreements in force and an explanation of one delivery, the IOM rules
# raising an alert and refusing a second warning, a joint breach decision
# escalated and decided with the team's decisions board, a refused append
# and an idempotent retry, the partner adapters taking the national probation
# feed and a police records export, a simulated Welsh IOM partnership
# (iomhub-simulate: a few weeks of activity in all four force areas, each step
# sent by the partner system that would send it), then starts the web
# dashboard and keeps both running until Ctrl-C, printing the dashboard's URL
# and iomctl commands to try (with iomctl profiles it writes for the demo).
#   deploy/demo.sh [BUILD_DIR]
# Environment: IOMHUB_LISTEN (default 127.0.0.1:50051), IOMHUB_METRICS
# (default 127.0.0.1:9464), IOMHUB_DASHBOARD (default 127.0.0.1:8080),
# IOMHUB_DEMO_DATA (default ./demo-data), DEMO_WEEKS (weeks simulated,
# default 6), DEMO_EXIT=1 to stop after the walkthrough instead of waiting.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${1:-build}
case "$BUILD" in /*) ;; *) BUILD="$ROOT/$BUILD" ;; esac
BIN="$BUILD/bin"
CERTS="$ROOT/deploy/dev-certs/out"
DATA=${IOMHUB_DEMO_DATA:-$ROOT/demo-data}
LISTEN=${IOMHUB_LISTEN:-127.0.0.1:50051}
METRICS=${IOMHUB_METRICS:-127.0.0.1:9464}
DASHBOARD_LISTEN=${IOMHUB_DASHBOARD:-127.0.0.1:8080}
PERSON=person-5b0f1d2e-7c1a-4f3e-9a53-2f3c6a0d9e11
cd "$ROOT"

step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }

bash deploy/dev-certs.sh "$CERTS" >/dev/null
RUN=$(mktemp -d)
"$BIN/iomhubd" --config=deploy/config/hub.textproto --data_dir="$DATA" --listen="$LISTEN" \
  --metrics_listen="$METRICS" --ready_file="$RUN/ready" --heartbeat_ms=2000 \
  2> >(trap '' INT; exec sed -u 's/^/[hub] /' >&2) &
HUB=$!
# Ctrl-C reaches the whole process group: the hub drains and stops on its
# own SIGINT; the script waits for it (and for its last log lines, which the
# prefixing sed, deaf to SIGINT, passes on) and exits 0.
DASH=""
cleanup() {
  [ -n "$DASH" ] && kill -TERM "$DASH" 2>/dev/null || true
  kill -TERM "$HUB" 2>/dev/null || true
  wait "$HUB" 2>/dev/null || true
  wait 2>/dev/null || true
  rm -rf "$RUN"
}
trap cleanup EXIT
trap 'exit 0' INT TERM
for _ in $(seq 1 100); do
  [ -f "$RUN/ready" ] && break
  kill -0 "$HUB" 2>/dev/null || { echo "demo: iomhubd failed to start" >&2; exit 1; }
  sleep 0.1
done
[ -f "$RUN/ready" ] || { echo "demo: iomhubd did not become ready" >&2; exit 1; }
ADDR=$(sed -n 's/^grpc=//p' "$RUN/ready")
METRICS_ADDR=$(sed -n 's/^metrics=//p' "$RUN/ready")

# ctl SYSTEM ROLE iomctl-args...: call the hub as that partner system.
ctl() {
  local who=$1 role=$2
  shift 2
  "$BIN/iomctl" --hub="$ADDR" --ca="$CERTS/ca.pem" --cert="$CERTS/$who.pem" --key="$CERTS/$who.key" \
    --user="demo-$role" --role="$role" --purpose=iom_case_management "$@"
}

step "Hub serving on $ADDR with mTLS; data in $DATA"
step "Probation subscribes to the live feed (from the start of the log)"
ctl wales-probation-ndelius probation_officer subscribe --from_start --max_events=16 >"$RUN/feed" 2>"$RUN/feed.err" &
FEED=$!

step "The sharing agreements in force (deploy/config/agreements; SIGHUP reloads them)"
ctl gwent-police-niche sergeant agreements --summary

step "Gwent Police (Niche) refer a nominal to the Newport IOM team"
ctl gwent-police-niche sergeant append --file=deploy/demo/police-referral.json
step "Probation (nDelius) select the Fixed cohort and set a contact plan"
ctl wales-probation-ndelius probation_officer append --stream="$PERSON" --file=deploy/demo/probation-selection.json
step "Probation schedule and record a contact, and send a housing referral"
ctl wales-probation-ndelius probation_officer append --stream="$PERSON" --file=deploy/demo/probation-contacts.json
step "Newport housing accept the referral and record temporary accommodation"
ctl newport-housing housing_officer append --stream="$PERSON" --file=deploy/demo/housing-update.json
step "Gwent Police record an arrest"
ARREST=$(ctl gwent-police-niche sergeant append --stream="$PERSON" --file=deploy/demo/police-arrest.json \
  | tee /dev/stderr | sed -n 's/.*"lastPosition":"\([0-9]*\)".*/\1/p')

step "The IOM rules raise an alert at once: ARREST_OR_CHARGE reaches police and probation (iomctl alerts)"
for _ in $(seq 1 50); do
  ctl wales-probation-ndelius senior_probation_officer alerts --person="${PERSON#person-}" \
    --min_position="$ARREST" | grep -q ARREST_OR_CHARGE && break
  sleep 0.1
done
ctl wales-probation-ndelius senior_probation_officer alerts --person="${PERSON#person-}" --summary
step "Rule 5 (Sentencing Act 2020 Sch. 10 para 6): a second warning on an order within 12 months is refused (expected: FAILED_PRECONDITION, nothing written)"
ctl wales-probation-ndelius probation_officer append --stream="$PERSON" --generate_ids <<'JSON' || true
[{"occurredAt":"2026-11-06T10:00:00Z","warningIssued":{"orderRef":"CO-2026-118","reason":"missed appointment"}},
 {"occurredAt":"2026-11-20T10:00:00Z","warningIssued":{"orderRef":"CO-2026-118","reason":"missed appointment"}}]
JSON
step "The rules the hub checks, with Gwent's parameters (iomctl alerts --rules; first lines)"
ctl gwent-police-niche sergeant alerts --rules --area=gwent --summary >"$RUN/rules"
head -12 "$RUN/rules"

UUID=${PERSON#person-}
step "The joint breach decision: Gwent Police open a consideration after the arrest; the Sergeant says breach, the SPO warn"
ctl gwent-police-niche police_officer decide open --person="$UUID" --consideration=bc-demo-1 \
  --trigger=arrest --order=CO-2026-118 --command_id=6c1a0e52-0d0b-4a2e-9b7a-3d1f00000001 --summary
ctl gwent-police-niche sergeant decide position --person="$UUID" --consideration=bc-demo-1 \
  --action=breach --rationale="arrested while on licence conditions" \
  --command_id=6c1a0e52-0d0b-4a2e-9b7a-3d1f00000002 >/dev/null
ctl wales-probation-ndelius senior_probation_officer decide position --person="$UUID" \
  --consideration=bc-demo-1 --action=warn --rationale="first lapse; engaging with housing" \
  --command_id=6c1a0e52-0d0b-4a2e-9b7a-3d1f00000003 >/dev/null
step "They disagree, so the SPO cannot record a joint decision (expected: FAILED_PRECONDITION); the SPO escalates"
ctl wales-probation-ndelius senior_probation_officer decide record --person="$UUID" \
  --consideration=bc-demo-1 --action=warn --rationale="agreed?" \
  --command_id=6c1a0e52-0d0b-4a2e-9b7a-3d1f00000004 2>&1 | grep -v "^iomctl: command id" || true
ctl wales-probation-ndelius senior_probation_officer decide escalate --person="$UUID" \
  --consideration=bc-demo-1 --reason="breach or warn" \
  --command_id=6c1a0e52-0d0b-4a2e-9b7a-3d1f00000005 >/dev/null
step "The head of the probation delivery unit decides (final); the Newport team's decisions board"
ctl wales-probation-ndelius head_of_pdu decide record --person="$UUID" --consideration=bc-demo-1 \
  --action=warn --rationale="engaging with housing and treatment; review in 4 weeks" \
  --command_id=6c1a0e52-0d0b-4a2e-9b7a-3d1f00000006 --summary
ctl gwent-police-niche sergeant board --team=gwent-newport --closed --summary

step "Police and probation link their own identifiers (PNC, Niche nominal id; CRN) and a second contact"
ctl gwent-police-niche sergeant append --stream="$PERSON" --file=deploy/demo/identifiers.json
LAST=$(ctl wales-probation-ndelius probation_officer append --stream="$PERSON" \
  --file=deploy/demo/probation-identifiers.json | tee /dev/stderr | sed -n 's/.*"lastPosition":"\([0-9]*\)".*/\1/p')

step "Police read the person's stream back (producer stamped from each certificate)"
ctl gwent-police-niche police_officer read-stream --stream="$PERSON" --limit=3

# The demo's contacts are in the ISO week of Monday 2026-11-02.
AS_OF=2026-11-04T12:00:00Z
step "The live case view as Gwent Police see it, found by their PNC id (waits for position $LAST)"
ctl gwent-police-niche sergeant case --identifier=pnc:26/004411X --min_position="$LAST" --as_of=$AS_OF \
  --summary
step "The same person as probation see them, by CRN: no Niche id, this week's contacts against plan"
ctl wales-probation-ndelius senior_probation_officer case --identifier=crn:W123456 \
  --min_position="$LAST" --as_of=$AS_OF --summary
step "Newport IOM team's cohort list for that week"
ctl gwent-police-niche sergeant cohort --team=gwent-newport --min_position="$LAST" --as_of=$AS_OF \
  --summary
step "The same case as JSON, as a partner system receives it (first 400 characters)"
ctl gwent-police-niche sergeant case --identifier=pnc:26/004411X --as_of=$AS_OF | cut -c1-400
step "The hub's views: state, checkpoint and lag (no personal data)"
ctl hub-admin operator views

step "What the probation subscriber received live (the hub's agreement records, then the person's events; cut to 160 characters)"
for _ in $(seq 1 100); do kill -0 "$FEED" 2>/dev/null || break; sleep 0.1; done
kill "$FEED" 2>/dev/null || true
cut -c1-160 "$RUN/feed"

step "What Newport housing receive of the same person: on IOM, the team to contact, the housing referral, accommodation; no arrest, no identifiers, no compliance"
ctl newport-housing housing_officer read-stream --stream="$PERSON" | cut -c1-200
step "Why housing did not receive the arrest at position $ARREST (as the auditor sees it)"
ctl ico-auditor auditor explain --position="$ARREST" --system=newport-housing --as_role=housing_officer \
  --as_purpose=iom_case_management --summary >"$RUN/explain"
head -4 "$RUN/explain"
step "Housing may not record an arrest (the producer table; expected: PERMISSION_DENIED)"
ctl newport-housing housing_officer append --stream="$PERSON" --generate_ids \
  <<<'{"occurredAt":"2026-11-06T10:00:00Z","arrestRecorded":{"custodyRef":"X"}}' || true

step "Police retry their first append (same event ids): an idempotent replay, nothing written twice"
ctl gwent-police-niche sergeant append --file=deploy/demo/police-referral.json

# feed PROGRAM SYSTEM ROLE args...: a partner adapter, as that partner system.
feed() {
  local program=$1 who=$2 role=$3
  shift 3
  "$BIN/$program" --hub="$ADDR" --ca="$CERTS/ca.pem" --cert="$CERTS/$who.pem" --key="$CERTS/$who.key" \
    --user="demo-feed" --role="$role" --purpose=iom_case_management "$@"
}
step "Partner adapters: the national probation event feed (HMPPS domain events, raw and SNS-wrapped) and a police records export, by CRN and PNC; malformed and unknown messages are reported by file and line (docs/probation-feed.md, docs/police-feed.md)"
feed iomhub-probation-feed wales-probation-ndelius probation_officer deploy/samples/probation 2>&1 | cut -c1-200 || true
feed iomhub-police-feed gwent-police-niche sergeant deploy/samples/police 2>&1 | cut -c1-200 || true
echo "Run again, nothing new is appended (event ids derive from the source's message ids):"
feed iomhub-probation-feed wales-probation-ndelius probation_officer deploy/samples/probation 2>&1 | grep 'iomhub-probation-feed:' || true

step "The disclosure audit, as the auditor: what was shared about this person, when, with whom, under which agreement and why (iomctl audit sar --format=csv; first rows)"
ctl ico-auditor auditor audit sar --person="${PERSON#person-}" --format=csv >"$RUN/sar.csv"
head -7 "$RUN/sar.csv" | cut -c1-220
echo "... $(($(wc -l <"$RUN/sar.csv") - 1)) rows in all; every read above left one"
step "The audit log is hash-chained and its checkpoints signed: iomctl checks every link and signature itself (iomctl audit verify)"
ctl ico-auditor auditor audit verify

if [ -n "$METRICS_ADDR" ] && command -v curl >/dev/null; then
  step "Prometheus metrics (excerpt) from http://$METRICS_ADDR/metrics"
  curl -s "http://$METRICS_ADDR/metrics" | grep -E '^iomhub_(append_calls_total|log_head_position|rejected_calls_total|subscribers|alert_events_total|audit_records_total)' \
    | grep -v ' 0$' || true
fi

# iomctl profiles for the commands below (development certificates only).
PROFILES="$CERTS/profiles"
mkdir -p "$PROFILES"
profile() {  # NAME SYSTEM ROLE PURPOSE
  printf 'hub = %s\nca = %s\ncert = %s\nkey = %s\nuser = demo-%s\nrole = %s\npurpose = %s\n' \
    "$ADDR" "$CERTS/ca.pem" "$CERTS/$2.pem" "$CERTS/$2.key" "$3" "$3" "$4" >"$PROFILES/$1.profile"
}
profile gwent-police gwent-police-niche sergeant iom_case_management
profile probation wales-probation-ndelius senior_probation_officer iom_case_management
profile newport-housing newport-housing housing_officer iom_case_management
profile auditor ico-auditor auditor audit
profile dashboard iom-dashboard analyst iom_performance

step "A simulated Welsh IOM partnership: ${DEMO_WEEKS:-6} weeks of activity in Dyfed-Powys, Gwent, North Wales and South Wales, each step sent by the police, probation, housing, health, prison or employment system that would send it (iomhub-simulate; deterministic, synthetic, no names)"
"$BIN/iomhub-simulate" --hub="$ADDR" --ca="$CERTS/ca.pem" --cert_dir="$CERTS" \
  --weeks="${DEMO_WEEKS:-6}" --seed=1 2>&1 | sed -n '1,2p'

step "The web dashboard (iomhub-dashboard): a hub client with its own certificate that may read aggregates only"
"$BIN/iomhub-dashboard" --hub="$ADDR" --ca="$CERTS/ca.pem" --cert="$CERTS/iom-dashboard.pem" \
  --key="$CERTS/iom-dashboard.key" --listen="$DASHBOARD_LISTEN" --weeks="${DEMO_WEEKS:-6}" \
  --board_cert_dir="$CERTS" \
  --board_police_systems=dyfed-powys=dyfed-powys-police-niche,gwent=gwent-police-niche,north-wales=north-wales-police-niche,south-wales=south-wales-police-niche \
  --board_probation_systems=dyfed-powys=dyfed-powys-probation-ndelius,gwent=wales-probation-ndelius,north-wales=north-wales-probation-ndelius,south-wales=south-wales-probation-ndelius \
  --dev_board_user=sergeant-demo --dev_board_role=sergeant >"$RUN/dashboard.out" \
  2> >(trap '' INT; exec sed -u 's/^/[dashboard] /' >&2) &
DASH=$!
for _ in $(seq 1 100); do
  grep -q '^dashboard: serving' "$RUN/dashboard.out" && break
  kill -0 "$DASH" 2>/dev/null || { echo "demo: iomhub-dashboard failed to start" >&2; exit 1; }
  sleep 0.1
done
URL=$(sed -n 's/^dashboard: serving //p' "$RUN/dashboard.out")
[ -n "$URL" ] || { echo "demo: iomhub-dashboard did not start serving" >&2; exit 1; }
echo "Dashboard: $URL (Wales, then each force area and team; live as events arrive)"
IOMCTL_PROFILE_DIR="$PROFILES" "$BIN/iomctl" --profile=dashboard dashboard --area=gwent \
  --weeks="${DEMO_WEEKS:-6}" --summary | sed -n '1,8p'

if [ "${DEMO_EXIT:-0}" = "1" ]; then exit 0; fi
step "The hub and the dashboard keep running. Open $URL — and in another terminal try:"
cat <<HELP
  export IOMCTL_PROFILE_DIR=$PROFILES PATH=$BIN:\$PATH
  # The same person as Gwent Police and as Newport housing see them:
  iomctl --profile=gwent-police case --identifier=pnc:26/004411X --summary
  iomctl --profile=newport-housing case --person=${PERSON#person-} --summary
  # Newport IOM's cohort list and decisions board, and the team's open alerts:
  iomctl --profile=gwent-police cohort --team=gwent-newport --summary
  iomctl --profile=gwent-police board --team=gwent-newport --closed --summary
  iomctl --profile=gwent-police alerts --team=gwent-newport --summary
  # What was disclosed about the person, and proof the audit log is intact:
  iomctl --profile=auditor audit sar --person=${PERSON#person-} --format=csv
  iomctl --profile=auditor audit verify
  # The dashboard's figures as the hub serves them (never a person):
  iomctl --profile=dashboard dashboard --team=gwent-newport --summary
  # A live feed in one terminal while you append in another:
  iomctl --profile=probation subscribe --from_start --heartbeats
  echo '{"occurredAt":"2026-11-26T10:00:00Z","arrestRecorded":{"custodyRef":"GWP-123"}}' | \
    iomctl --profile=gwent-police append --stream=$PERSON --generate_ids
Press Ctrl-C to stop the hub and the dashboard (the hub drains in-flight appends and exits cleanly).
HELP
wait "$HUB"
