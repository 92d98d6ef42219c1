// The text `iomctl --help` prints: every command, its flags, the
// connection flags, exit codes and examples.
#ifndef IOMHUB_CLIENTS_IOMCTL_USAGE_H_
#define IOMHUB_CLIENTS_IOMCTL_USAGE_H_

namespace iomhub::iomctl {

inline constexpr char kUsage[] = R"(command-line client for the iomhub event hub.

Usage: iomctl [flags] <command> [command flags]

Commands:
  append       Append events to one stream (EventService.Append). Input
               (--file or stdin), protobuf JSON: one iomhub.v1.AppendRequest
               object, or iomhub.v1.Event objects as a JSON array or one
               after another. Prints the AppendResponse as one JSON line.
                 --stream=S --expected=any|no_stream|exists|N --file=F
                 --generate_ids
  read-stream  Print a stream's events, one JSON line each.
                 --stream=S --from=VERSION --backwards --from_end --limit=N
  read-all     Print the log's events from a position, one JSON line each.
                 --from=POSITION --limit=N --types=A,B
  subscribe    Follow the log live (catch-up first with --from/--from_start),
               one JSON line per event; resumes after disconnects without
               loss or repeats.
                 --from=N (positions > N) | --from_start  (default: from now)
                 --types=A,B --streams=S1,S2 --heartbeats --heartbeat_ms=MS
                 --max_events=N --no_reconnect
  case         One person's live case view (CaseService.GetCase): cohort,
               plan, this ISO week's contacts against plan, open
               enforcement, referrals, alerts.
                 --person=UUID | --identifier=crn:X123456  --min_position=P
                 --as_of=RFC3339 --summary
  cohort       A team's cohort list (CaseService.ListCohort).
                 --team=ID --cohort=fixed|flex|free --strand=S
                 --include_deselected --min_position=P --as_of=RFC3339 --summary
  alerts       The alerts the IOM rules raised (AlertService.ListAlerts), most
               urgent first: a person's or a team's, filtered by the sharing
               agreements like the events they are.
                 --person=UUID | --team=ID  --state=open|resolved|all
                 --rule=R1,R2 --min_severity=info|action|urgent
                 --min_position=P --summary
               alerts --rules [--area=ID] --summary: the rules, their sources
               and this hub's parameters (AlertService.ListAlertRules).
  decide       A step of a joint breach decision (DecisionService), as the
               police Sergeant, the Senior Probation Officer, or after an
               escalation the Inspector or head of PDU:
                 decide open --person=UUID --consideration=ID --trigger=T
                   [--order=REF --summary_text=S --evidence=P1,P2]
                 decide position --person --consideration --action=A
                   --rationale=R [--alternative=NAME]
                 decide escalate --person --consideration --reason=R [--to=ROLE]
                 decide record --person --consideration --action=A
                   --rationale=R [--alternative=NAME --override_reason=R]
                 decide withdraw --person --consideration --reason=R
               each with --command_id=UUID (reuse to retry)
               --expected_version=V --occurred_at=RFC3339 --summary
  board        A team's decisions board (CaseService.GetDecisionsBoard):
               open considerations, positions, escalations, age.
                 --team=ID --closed --min_position=P --as_of=RFC3339 --summary
  dashboard    The IOM dashboard's aggregates (CaseService.GetDashboard) for
               Wales, a police force area or a team, as the web dashboard
               shows them: counts below 5 suppressed, never a person.
                 [--area=ID | --team=ID] --weeks=N --min_position=P
                 --as_of=RFC3339 --summary
  find         The hub person id of an identifier (CaseService.FindPerson).
                 --identifier=kind:value --min_position=P
  views        Each view's state, checkpoint, lag and last rebuild, one
               JSON line each (AdminService.ListViews).  --digests
  rebuild      Rebuild a view from position 1 while the live one serves,
               then swap (AdminService.RebuildView; hub admins).
                 rebuild NAME (or --view=NAME) --wait
  agreements   The sharing agreements the hub holds, one JSON line each
               (SharingService.ListAgreements), or one of them.
                 agreements [ID[@VERSION]] (or --id=...) --in_force_only
                 --summary
  explain      For a recipient and the event at a log position: delivered
               or not, which fields, under which agreement, and why
               (SharingService.Explain; hub admins may ask for anyone).
                 --position=P --system=PRINCIPAL --as_role=R
                 --as_purpose=P --summary
  audit        The disclosure audit (AuditService; the auditor role only):
                 audit verify [--public_key=PEM]: check the hash chain and
                   every signed checkpoint here; exit 1 naming the first
                   broken sequence number
                 audit sar --person=UUID [--format=json|csv]: what was
                   disclosed about a person, to whom, when, under which
                   agreement and why
                 audit query [--person --agency --system --by_user
                   --agreement --operation --since --until --limit]
                 audit summary --agreement=ID [--since --until]
                 audit key: the public key checkpoints are signed with
  admin        The store (AdminService; hub admins):
                 admin backup DIR [--skip_verify]: a consistent backup of
                   the running hub (log, views, audit log) into DIR, a new
                   absolute path on the hub's machine; verified first
                 admin verify: check the running hub's store (CRCs, gapless
                   positions and versions, indexes, audit chain); exit 1
                   on any fault
               Restore, and verifying a stopped hub's directory, run on
               the hub's machine: iomhubd --restore_from / --verify.

Connection and identity (all commands):
  --hub=HOST:PORT (127.0.0.1:50051)  --insecure | --ca=F --cert=F --key=F
  --server_name=NAME  --user=U --role=R --purpose=P  --timeout=SECONDS
  --as_principal=ID (with --insecure: act as this principal)
  Each also reads IOMHUB_<FLAG> (IOMHUB_HUB, IOMHUB_CA, IOMHUB_CERT,
  IOMHUB_KEY, IOMHUB_USER, ...), or a profile: --profile=NAME reads
  ~/.config/iomctl/NAME.profile (key = value lines; flags win, then the
  environment, then the profile).  --version: version and git commit.

Exit codes: 0 success; 1 the hub returned an error (printed as
"iomctl: <CODE>: <message>"); 2 bad flags or input (nothing sent).

Examples:
  export IOMHUB_USER=pc-4521 IOMHUB_ROLE=sergeant IOMHUB_PURPOSE=iom_case_management
  export IOMHUB_DEV_PRINCIPAL=gwent-police-niche   # with --insecure only
  iomctl --insecure append --stream=person-<uuid> --expected=no_stream \
      --generate_ids --file=referral.json
  echo '{"occurredAt":"2024-05-01T09:00:00Z","contactScheduled":{"contactId":"c1","leadAgency":"LEAD_AGENCY_POLICE"}}' |
      iomctl --ca=ca.pem --cert=police.pem --key=police.key \
      --server_name=iomhub.local append --stream=person-<uuid> --generate_ids
  iomctl --insecure read-stream --stream=person-<uuid> --from_end --limit=5
  iomctl --insecure read-all --from=1 --types=ContactScheduled,WarrantIssued
  iomctl --insecure subscribe --from_start --heartbeats --max_events=100
  iomctl --insecure case --identifier=crn:X123456
  iomctl --insecure cohort --team=gwent-newport --cohort=fixed
  iomctl --insecure alerts --team=gwent-newport --summary
  iomctl --insecure alerts --rules --area=dyfed-powys --summary
  iomctl --insecure --role=sergeant decide position --person=<uuid> \
      --consideration=bc-1 --action=breach --rationale="third missed appointment"
  iomctl --insecure board --team=gwent-newport --summary
  iomctl --insecure rebuild case_view --wait
  iomctl --insecure admin backup /var/backups/iomhub/2026-12-06
  iomctl --insecure agreements --summary
  iomctl --insecure agreements waspi-dda-iom-housing --summary
  iomctl --insecure --as_principal=ico-auditor --role=auditor audit sar \
      --person=<uuid> --format=csv
  iomctl --insecure explain --position=42 --system=cardiff-housing \
      --as_role=housing_officer --as_purpose=iom_case_management --summary
)";

}  // namespace iomhub::iomctl

#endif  // IOMHUB_CLIENTS_IOMCTL_USAGE_H_
