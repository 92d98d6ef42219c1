#include "clients/simulate/hub_sender.h"

#include <cmath>
#include <deque>
#include <filesystem>
#include <memory>
#include <set>
#include <thread>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/synchronization/mutex.h"
#include "clients/simulate/scenario_stats.h"
#include "clients/subscription_cursor.h"
#include "iomhub/v1/decision_service.grpc.pb.h"
#include "iomhub/v1/event_service.grpc.pb.h"

namespace iomhub::simulate {
namespace {

constexpr size_t kMaxEventsPerAppend = 100;
constexpr absl::Duration kGiveUpAfter = absl::Seconds(60);
constexpr int kRefusalsShown = 20;

bool Transient(grpc::StatusCode code) {
  return code == grpc::StatusCode::UNAVAILABLE || code == grpc::StatusCode::DEADLINE_EXCEEDED ||
         code == grpc::StatusCode::RESOURCE_EXHAUSTED;
}

struct Stubs {
  std::unique_ptr<v1::EventService::Stub> events;
  std::unique_ptr<v1::DecisionService::Stub> decisions;
};

// One worker's queue of steps (paced sending).
struct Queue {
  absl::Mutex mu;
  std::deque<const Step*> steps ABSL_GUARDED_BY(mu);
  bool closed ABSL_GUARDED_BY(mu) = false;
};

class Run {
 public:
  Run(const Scenario& scenario, const SendOptions& options)
      : scenario_(scenario), o_(options), workers_(std::max(1, options.parallel)) {}

  absl::Status Connect() {
    std::set<std::string> principals;
    for (const Step& s : scenario_.steps) principals.insert(s.sender.principal);
    for (const std::string& p : principals) {
      clients::HubClientOptions hub = o_.hub;
      hub.cert_file.clear();
      hub.key_file.clear();
      if (!hub.insecure) {
        hub.cert_file = absl::StrCat(o_.cert_dir, "/", p, ".pem");
        hub.key_file = absl::StrCat(o_.cert_dir, "/", p, ".key");
        for (const std::string& f : {hub.cert_file, hub.key_file}) {
          if (!std::filesystem::exists(f)) {
            return absl::InvalidArgumentError(
                absl::StrCat("no certificate for partner system ", p, ": ", f,
                             " is missing (deploy/dev-certs.sh makes the development ones)"));
          }
        }
      }
      absl::StatusOr<std::shared_ptr<grpc::Channel>> channel = clients::MakeHubChannel(hub);
      if (!channel.ok()) return channel.status();
      stubs_[p] =
          Stubs{v1::EventService::NewStub(*channel), v1::DecisionService::NewStub(*channel)};
    }
    return absl::OkStatus();
  }

  absl::StatusOr<SendSummary> Go() {
    const absl::Time began = o_.now();
    std::vector<const Step*> first, later;
    for (const Step& s : scenario_.steps) {
      const bool now_due = s.at <= began;
      const bool setup = s.at < scenario_.start;
      if (o_.factor <= 0 ? now_due : (setup && now_due)) {
        first.push_back(&s);
      } else if (o_.follow || o_.factor > 0) {
        later.push_back(&s);
      } else {
        absl::MutexLock lock(&mu_);
        ++summary_.steps_not_yet_due;
      }
    }
    SendParallel(first);
    if (!Failed() && !later.empty()) SendPaced(later);
    absl::MutexLock lock(&mu_);
    if (!failure_.ok()) return failure_;
    summary_.elapsed = o_.now() - began;
    return summary_;
  }

 private:
  // At full speed: each worker sends its people's steps, a person's in order.
  void SendParallel(const std::vector<const Step*>& steps) {
    std::vector<std::vector<std::vector<const Step*>>> mine(workers_);
    std::vector<std::vector<const Step*>> by_person(scenario_.people.size());
    for (const Step* s : steps) by_person[s->person].push_back(s);
    for (size_t p = 0; p < by_person.size(); ++p) {
      if (!by_person[p].empty()) mine[p % workers_].push_back(std::move(by_person[p]));
    }
    std::vector<std::thread> threads;
    for (size_t w = 0; w < workers_; ++w) {
      threads.emplace_back([this, &mine, w] {
        for (const std::vector<const Step*>& person : mine[w]) {
          for (size_t i = 0; i < person.size() && !Failed();) {
            size_t j = i + 1;
            if (!IsDecisionStep(*person[i])) {
              size_t events = person[i]->events.size();
              while (j < person.size() && !IsDecisionStep(*person[j]) &&
                     person[j]->sender == person[i]->sender &&
                     events + person[j]->events.size() <= kMaxEventsPerAppend) {
                events += person[j++]->events.size();
              }
            }
            Send(person, i, j);
            i = j;
          }
        }
      });
    }
    for (std::thread& t : threads) t.join();
  }

  // Paced: a dispatcher hands each step to its person's worker when due.
  void SendPaced(const std::vector<const Step*>& steps) {
    std::vector<std::unique_ptr<Queue>> queues;
    std::vector<std::thread> threads;
    for (size_t w = 0; w < workers_; ++w) {
      queues.push_back(std::make_unique<Queue>());
      threads.emplace_back([this, q = queues.back().get()] {
        for (;;) {
          const Step* step;
          {
            absl::MutexLock lock(&q->mu);
            q->mu.Await(absl::Condition(
                +[](Queue* queue) ABSL_EXCLUSIVE_LOCKS_REQUIRED(queue->mu) {
                  return !queue->steps.empty() || queue->closed;
                },
                q));
            if (q->steps.empty()) return;
            step = q->steps.front();
            q->steps.pop_front();
          }
          if (!Failed()) Send({step}, 0, 1);
        }
      });
    }
    const absl::Time wall0 = o_.now();
    for (size_t i = 0; i < steps.size() && !Failed(); ++i) {
      const Step* s = steps[i];
      absl::Time due = o_.factor > 0 ? wall0 + (s->at - scenario_.start) / o_.factor : s->at;
      if (s->at > o_.now()) {
        if (!o_.follow) {
          absl::MutexLock lock(&mu_);
          summary_.steps_not_yet_due += steps.size() - i;
          break;
        }
        due = std::max(due, s->at);
      }
      while (!Failed()) {
        const absl::Duration wait = due - o_.now();
        if (wait <= absl::ZeroDuration()) break;
        absl::SleepFor(std::min(wait, absl::Seconds(1)));
      }
      Queue& q = *queues[s->person % workers_];
      absl::MutexLock lock(&q.mu);
      q.steps.push_back(s);
    }
    for (auto& q : queues) {
      absl::MutexLock lock(&q->mu);
      q->closed = true;
    }
    for (std::thread& t : threads) t.join();
  }

  bool Failed() {
    absl::MutexLock lock(&mu_);
    return !failure_.ok();
  }

  // Sends person[begin, end): one decision step, or appends by one sender.
  void Send(const std::vector<const Step*>& person, size_t begin, size_t end) {
    const Step& first = *person[begin];
    const Stubs& stubs = stubs_.at(first.sender.principal);
    const clients::CallIdentity identity{
        .user_id = first.sender.user,
        .role = first.sender.role,
        .purpose = o_.purpose,
        .dev_principal = o_.hub.insecure ? first.sender.principal : ""};
    bool replayed = false;
    grpc::Status status;
    if (IsDecisionStep(first)) {
      status = Call(identity, [&](grpc::ClientContext* c) {
        v1::DecisionResponse response;
        grpc::Status s = Decide(*stubs.decisions, c, first.events[0], &response);
        replayed = response.idempotent_replay();
        return s;
      });
    } else {
      v1::AppendRequest request;
      request.set_stream(first.events[0].stream());
      for (size_t i = begin; i < end; ++i) {
        for (const v1::Event& e : person[i]->events) *request.add_events() = e;
      }
      status = Call(identity, [&](grpc::ClientContext* c) {
        v1::AppendResponse response;
        grpc::Status s = stubs.events->Append(c, request, &response);
        replayed = response.idempotent_replay();
        return s;
      });
    }
    if (Transient(status.error_code())) {
      absl::MutexLock lock(&mu_);
      if (failure_.ok()) {
        failure_ = absl::UnavailableError(
            absl::StrCat("the hub stayed unreachable (", status.error_message(), ")"));
      }
      return;
    }
    if (!status.ok() && end - begin > 1) {
      // One step refused, or part stored before: each on its own.
      for (size_t i = begin; i < end; ++i) Send(person, i, i + 1);
      return;
    }
    absl::MutexLock lock(&mu_);
    for (size_t i = begin; i < end; ++i) {
      const Step& step = *person[i];
      ++summary_.steps_sent;
      for (const v1::Event& e : step.events) {
        const std::string type = EventTypeName(e);
        if (!status.ok()) {
          ++summary_.events_refused;
          ++summary_.refused[absl::StrCat(
              type, " ",
              absl::StatusCodeToString(static_cast<absl::StatusCode>(status.error_code())), ": ",
              status.error_message().substr(0, 160))];
          continue;
        }
        ++(replayed ? summary_.events_replayed : summary_.events_stored);
        ++summary_.by_type[type];
        ++summary_.by_agency[AgencyOfRole(step.sender.role)];
        ++summary_.by_system[step.sender.principal];
      }
      if (!status.ok() && o_.err != nullptr && refusals_shown_++ < kRefusalsShown) {
        *o_.err << "refused: " << step.events[0].stream() << " at " << absl::FormatTime(step.at)
                << " by " << step.sender.principal << " (" << step.sender.role << " "
                << step.sender.user << "): " << EventTypeName(step.events[0]) << ": "
                << status.error_message() << "\n";
      }
    }
    if (status.ok()) ++(IsDecisionStep(first) ? summary_.decision_calls : summary_.appends);
  }

  // The call's last status, retried while the hub is unreachable.
  template <typename F>
  grpc::Status Call(const clients::CallIdentity& identity, F call) {
    clients::ReconnectBackoff backoff(absl::Milliseconds(100), absl::Seconds(5));
    const absl::Time give_up = absl::Now() + kGiveUpAfter;
    for (;;) {
      absl::StatusOr<std::unique_ptr<grpc::ClientContext>> context =
          clients::MakeCallContext(identity, absl::Seconds(30));
      if (!context.ok()) {
        return grpc::Status(grpc::StatusCode::INVALID_ARGUMENT,
                            std::string(context.status().message()));
      }
      grpc::Status status = call(context->get());
      if (!Transient(status.error_code()) || absl::Now() > give_up) return status;
      absl::SleepFor(backoff.Next());
    }
  }

  static grpc::Status Decide(v1::DecisionService::Stub& stub, grpc::ClientContext* c,
                             const v1::Event& e, v1::DecisionResponse* response) {
    v1::DecisionCommand command;
    command.set_person_id(e.stream().substr(std::string("person-").size()));
    command.set_command_id(e.event_id());
    *command.mutable_occurred_at() = e.occurred_at();
    switch (e.payload_case()) {
      case v1::Event::kBreachConsiderationOpened: {
        const auto& p = e.breach_consideration_opened();
        v1::OpenConsiderationRequest r;
        command.set_consideration_id(p.consideration_id());
        *r.mutable_command() = command;
        r.set_trigger(p.trigger());
        r.set_order_ref(p.order_ref());
        r.set_summary(p.summary());
        return stub.OpenConsideration(c, r, response);
      }
      case v1::Event::kPositionRecorded: {
        const auto& p = e.position_recorded();
        v1::RecordPositionRequest r;
        command.set_consideration_id(p.consideration_id());
        *r.mutable_command() = command;
        r.set_position(p.position());
        r.set_alternative(p.alternative());
        r.set_rationale(p.rationale());
        return stub.RecordPosition(c, r, response);
      }
      case v1::Event::kDecisionEscalated: {
        const auto& p = e.decision_escalated();
        v1::EscalateRequest r;
        command.set_consideration_id(p.consideration_id());
        *r.mutable_command() = command;
        r.set_to_role(p.escalated_to_role());
        r.set_reason(p.reason());
        return stub.Escalate(c, r, response);
      }
      case v1::Event::kJointDecisionRecorded: {
        const auto& p = e.joint_decision_recorded();
        v1::RecordDecisionRequest r;
        command.set_consideration_id(p.consideration_id());
        *r.mutable_command() = command;
        r.set_decision(p.decision());
        r.set_alternative(p.alternative());
        r.set_rationale(p.rationale());
        r.set_manager_override_reason(p.manager_override_reason());
        return stub.RecordDecision(c, r, response);
      }
      default: {
        const auto& p = e.breach_consideration_withdrawn();
        v1::WithdrawRequest r;
        command.set_consideration_id(p.consideration_id());
        *r.mutable_command() = command;
        r.set_reason(p.reason());
        return stub.Withdraw(c, r, response);
      }
    }
  }

  const Scenario& scenario_;
  const SendOptions& o_;
  const size_t workers_;
  std::map<std::string, Stubs> stubs_;  // read-only once connected
  absl::Mutex mu_;
  SendSummary summary_ ABSL_GUARDED_BY(mu_);
  absl::Status failure_ ABSL_GUARDED_BY(mu_);
  int refusals_shown_ ABSL_GUARDED_BY(mu_) = 0;
};

}  // namespace

std::string SendSummary::ToString() const {
  std::string out = absl::StrFormat(
      "sent %d steps in %.1f s: %d events stored, %d already stored (replayed), %d refused; "
      "%d appends, %d decision calls",
      steps_sent, absl::ToDoubleSeconds(elapsed), events_stored, events_replayed, events_refused,
      appends, decision_calls);
  if (steps_not_yet_due > 0) {
    absl::StrAppend(&out, "; ", steps_not_yet_due,
                    " steps dated after now not sent (--follow sends them when due)");
  }
  absl::StrAppend(&out, "\naccepted events by type:\n");
  for (const auto& [type, n] : by_type)
    absl::StrAppend(&out, absl::StrFormat("  %-30s %d\n", type, n));
  absl::StrAppend(&out, "accepted events by agency:");
  for (const auto& [agency, n] : by_agency) absl::StrAppend(&out, " ", agency, " ", n);
  absl::StrAppend(&out, "\naccepted events by system:");
  for (const auto& [system, n] : by_system) absl::StrAppend(&out, " ", system, " ", n);
  absl::StrAppend(&out, "\n");
  if (!refused.empty()) {
    absl::StrAppend(&out, "refused events:\n");
    for (const auto& [reason, n] : refused) absl::StrAppend(&out, "  ", n, " ", reason, "\n");
  }
  return out;
}

absl::StatusOr<double> ParseSpeed(absl::string_view speed) {
  if (speed == "max") return 0.0;
  if (speed == "realtime") return 1.0;
  double factor = 0;
  if (absl::EndsWith(speed, "x") && absl::SimpleAtod(speed.substr(0, speed.size() - 1), &factor) &&
      factor > 0 && std::isfinite(factor)) {
    return factor;
  }
  return absl::InvalidArgumentError(
      absl::StrCat("--speed=", speed,
                   ": say max, realtime, or Nx (N simulated seconds per real second, "
                   "e.g. 3600x)"));
}

absl::StatusOr<SendSummary> SendScenario(const Scenario& scenario, const SendOptions& options) {
  Run run(scenario, options);
  if (absl::Status s = run.Connect(); !s.ok()) return s;
  return run.Go();
}

}  // namespace iomhub::simulate
