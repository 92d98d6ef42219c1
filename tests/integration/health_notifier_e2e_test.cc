// The health notifier through the real binary against a real hub and a
// local HTTPS receiver (OpenSSL, mutual TLS, started and stopped here)
// that fails some requests: every event the health agreement lets through
// is notified exactly once, in order, numbered 1, 2, 3…; nothing outside
// the agreement (an arrest, a housing referral) is sent, nothing after the
// person withdraws consent; a restart from the checkpoint neither repeats
// nor skips; a refused notification goes to the dead-letter file.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <openssl/ssl.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <map>
#include <thread>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/synchronization/mutex.h"
#include "common/ids.h"
#include "google/protobuf/struct.pb.h"
#include "google/protobuf/util/json_util.h"
#include "tests/integration/mtls_hub_test.h"

namespace iomhub::testing {
namespace {

using ::testing::HasSubstr;

constexpr char kGwentHealth[] = "aneurin-bevan-health";
const CallAs kHealthWorker{
    .user_id = "hw-3", .role = "health_worker", .purpose = "iom_case_management"};

// A FHIR rest-hook endpoint: HTTPS on 127.0.0.1 (OpenSSL), requiring a
// client certificate from the development CA; one connection at a time
// (the notifier keeps one open). Answers 200, or 503 to every third
// request, or 400 to all (kRefuseAll).
class FhirReceiver {
 public:
  enum class Mode { kFailEveryThird, kRefuseAll };

  FhirReceiver(const std::string& certs, const std::string& /*dir*/) {
    ctx_ = SSL_CTX_new(TLS_server_method());
    if (SSL_CTX_use_certificate_chain_file(ctx_, (certs + "/server.pem").c_str()) != 1 ||
        SSL_CTX_use_PrivateKey_file(ctx_, (certs + "/server.key").c_str(), SSL_FILETYPE_PEM) != 1 ||
        SSL_CTX_load_verify_locations(ctx_, (certs + "/ca.pem").c_str(), nullptr) != 1) {
      return;
    }
    SSL_CTX_set_verify(ctx_, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT, nullptr);
    fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t length = sizeof(address);
    if (::bind(fd_, reinterpret_cast<sockaddr*>(&address), sizeof(address)) != 0 ||
        ::listen(fd_, 8) != 0 ||
        ::getsockname(fd_, reinterpret_cast<sockaddr*>(&address), &length) != 0) {
      return;
    }
    url_ = absl::StrCat("https://localhost:", ntohs(address.sin_port), "/notify");
    thread_ = std::thread([this] { Loop(); });
  }
  ~FhirReceiver() {
    stop_ = true;
    if (thread_.joinable()) thread_.join();
    if (fd_ >= 0) ::close(fd_);
    SSL_CTX_free(ctx_);
  }

  const std::string& url() const { return url_; }
  void set_mode(Mode mode) { mode_ = mode; }
  int requests() const { return requests_.load(); }
  std::vector<std::string> accepted() {
    absl::MutexLock lock(&mu_);
    return accepted_;
  }

 private:
  void Loop() {
    while (!stop_) {
      pollfd p{.fd = fd_, .events = POLLIN, .revents = 0};
      if (::poll(&p, 1, 100) <= 0) continue;
      const int conn = ::accept4(fd_, nullptr, nullptr, SOCK_CLOEXEC);
      if (conn < 0) continue;
      timeval timeout{.tv_sec = 0, .tv_usec = 200000};
      ::setsockopt(conn, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof(timeout));
      SSL* ssl = SSL_new(ctx_);
      SSL_set_fd(ssl, conn);
      if (SSL_accept(ssl) == 1) Serve(ssl);
      SSL_free(ssl);
      ::close(conn);
    }
  }

  // Reads "<headers>\r\n\r\n<body>" requests until the client closes.
  void Serve(SSL* ssl) {
    std::string in;
    char buffer[8192];
    while (!stop_) {
      const size_t end = in.find("\r\n\r\n");
      if (end != std::string::npos) {
        const std::string head = absl::AsciiStrToLower(in.substr(0, end));
        size_t length = 0;
        if (const size_t at = head.find("content-length:"); at != std::string::npos) {
          length = std::stoul(head.substr(at + 15));
        }
        if (in.size() >= end + 4 + length) {
          Answer(ssl, in.substr(end + 4, length));
          in.erase(0, end + 4 + length);
          continue;
        }
      }
      const int n = SSL_read(ssl, buffer, sizeof(buffer));
      if (n > 0) {
        in.append(buffer, n);
      } else if (SSL_get_error(ssl, n) == SSL_ERROR_WANT_READ ||
                 (SSL_get_error(ssl, n) == SSL_ERROR_SYSCALL && errno == EAGAIN)) {
        continue;  // the read timed out: look at stop_
      } else {
        return;
      }
    }
  }

  void Answer(SSL* ssl, const std::string& body) {
    const int request = ++requests_;
    int status = 200;
    if (mode_ == Mode::kRefuseAll) {
      status = 400;
    } else if (request % 3 == 0) {
      status = 503;
    }
    if (status == 200) {
      absl::MutexLock lock(&mu_);
      accepted_.push_back(body);
    }
    const std::string reply = absl::StrCat("HTTP/1.1 ", status, " X\r\nContent-Length: 0\r\n\r\n");
    SSL_write(ssl, reply.data(), static_cast<int>(reply.size()));
  }

  SSL_CTX* ctx_ = nullptr;
  int fd_ = -1;
  std::string url_;
  std::thread thread_;
  std::atomic<bool> stop_{false};
  std::atomic<Mode> mode_{Mode::kFailEveryThird};
  std::atomic<int> requests_{0};
  absl::Mutex mu_;
  std::vector<std::string> accepted_;
};

// The event type a notification's focus names.
std::string FocusType(const std::string& body) {
  const size_t at = body.find("\"display\":\"");
  if (at == std::string::npos) return "";
  const size_t start = at + 11;
  return body.substr(start, body.find('"', start) - start);
}

// (event-number, log position) of a notification.
std::pair<uint64_t, uint64_t> NumberAndPosition(const std::string& body) {
  google::protobuf::Struct bundle;
  EXPECT_TRUE(google::protobuf::util::JsonStringToMessage(body, &bundle).ok()) << body;
  const auto& parameters = bundle.fields()
                               .at("entry")
                               .list_value()
                               .values(0)
                               .struct_value()
                               .fields()
                               .at("resource")
                               .struct_value()
                               .fields()
                               .at("parameter")
                               .list_value();
  uint64_t number = 0;
  uint64_t position = 0;
  for (const auto& p : parameters.values()) {
    if (p.struct_value().fields().at("name").string_value() != "notification-event") continue;
    for (const auto& part : p.struct_value().fields().at("part").list_value().values()) {
      const auto& f = part.struct_value().fields();
      if (f.at("name").string_value() == "event-number") {
        number = std::stoull(f.at("valueString").string_value());
      } else if (f.at("name").string_value() == "focus") {
        position = std::stoull(f.at("valueReference")
                                   .struct_value()
                                   .fields()
                                   .at("identifier")
                                   .struct_value()
                                   .fields()
                                   .at("value")
                                   .string_value());
      }
    }
  }
  return {number, position};
}

class HealthNotifierTest : public MtlsHubTest {
 protected:
  CommandResult Notifier(const std::vector<std::string>& extra) {
    std::vector<std::string> argv = {
        (std::filesystem::path(IomhubdPath()).parent_path() / "iomhub-health-notifier").string(),
        absl::StrCat("--hub=", hub_->grpc_address()),
        absl::StrCat("--ca=", certs_dir_, "/ca.pem"),
        absl::StrCat("--cert=", certs_dir_, "/", kGwentHealth, ".pem"),
        absl::StrCat("--key=", certs_dir_, "/", kGwentHealth, ".key"),
        absl::StrCat("--user=", kHealthWorker.user_id),
        absl::StrCat("--role=", kHealthWorker.role),
        absl::StrCat("--purpose=", kHealthWorker.purpose),
        absl::StrCat("--endpoint=", receiver_->url()),
        absl::StrCat("--endpoint_ca=", certs_dir_, "/ca.pem"),
        absl::StrCat("--checkpoint=", dir_.Join("notifier.checkpoint")),
        absl::StrCat("--dead_letter=", dir_.Join("dead.jsonl")),
        "--until_caught_up",
        "--backoff_initial_ms=5",
        "--backoff_max_ms=20",
        "--max_attempts=5"};
    argv.insert(argv.end(), extra.begin(), extra.end());
    absl::StatusOr<CommandResult> r = RunCommand(argv, absl::Seconds(60));
    EXPECT_THAT(r, IsOk());
    return r.value_or(CommandResult{});
  }

  static v1::Event Bare() { return NewBareEvent(); }
  static v1::Event Referral(const std::string& id, v1::ServiceKind service) {
    v1::Event e = Bare();
    e.mutable_referral_sent()->set_referral_id(id);
    e.mutable_referral_sent()->set_service(service);
    e.mutable_referral_sent()->set_provider("provider");
    return e;
  }
  static v1::Event Consent(const std::string& id) {
    v1::Event e = Bare();
    e.mutable_consent_recorded()->set_consent_id(id);
    e.mutable_consent_recorded()->set_agency(v1::AGENCY_KIND_HEALTH);
    e.mutable_consent_recorded()->set_service(v1::SERVICE_KIND_SUBSTANCE_MISUSE);
    e.mutable_consent_recorded()->set_evidence_ref("gwent-sms:form-1");
    return e;
  }

  // A person on IOM in Gwent with health consent and a substance-misuse
  // referral; an arrest and a housing referral health must never see.
  // Returns the stream.
  std::string ConsentingPerson(const std::string& consent) {
    const std::string stream = NewPersonStream();
    auto police = StubFor(kPolice);
    auto probation = StubFor(kProbation);
    auto health = StubFor(kGwentHealth);
    MustAppend(*police, kSergeant, stream, {ReferredTo("gwent-newport")});
    MustAppend(*probation, kProbationOfficer, stream, {SelectedFor("gwent-newport")});
    MustAppend(*police, kSergeant, stream, {NewArrestEvent("NWP-1")});
    MustAppend(*health, kHealthWorker, stream, {Consent(consent)});
    MustAppend(*probation, kProbationOfficer, stream,
               {Referral(consent + "-sm", v1::SERVICE_KIND_SUBSTANCE_MISUSE),
                Referral(consent + "-h", v1::SERVICE_KIND_HOUSING)});
    return stream;
  }

  // The positions health may read, in order, up to `through`.
  std::vector<uint64_t> HealthPositions(uint64_t through) {
    v1::ReadAllRequest request;
    absl::StatusOr<std::vector<v1::Event>> all =
        CallReadAll(*StubFor(kGwentHealth), request, kHealthWorker);
    EXPECT_THAT(all, IsOk());
    std::vector<uint64_t> positions;
    for (const v1::Event& e : all.value_or(std::vector<v1::Event>{})) {
      if (e.position() <= through) positions.push_back(e.position());
    }
    return positions;
  }

  std::unique_ptr<FhirReceiver> receiver_;
};

TEST_F(HealthNotifierTest, EveryAllowedEventOnceInOrderNothingElseAndNothingAfterWithdrawal) {
  receiver_ = std::make_unique<FhirReceiver>(certs_dir_, dir_.path());
  ASSERT_FALSE(receiver_->url().empty());
  const std::string person = ConsentingPerson("consent-a");
  const uint64_t head = HeadPosition(*StubFor(kPolice), kSergeant).value_or(0);

  // Everything health may receive so far, once, in order, numbered 1, 2, 3…
  CommandResult run = Notifier({"--from_start"});
  ASSERT_EQ(run.status.exit_code, 0) << run.stderr_text;
  std::vector<std::pair<uint64_t, uint64_t>> got;
  for (const std::string& body : receiver_->accepted()) got.push_back(NumberAndPosition(body));
  const std::vector<uint64_t> allowed = HealthPositions(head);
  ASSERT_EQ(got.size(), allowed.size()) << run.stderr_text;
  for (size_t i = 0; i < got.size(); ++i) {
    EXPECT_EQ(got[i].first, i + 1) << "notification numbers run 1, 2, 3…";
    EXPECT_EQ(got[i].second, allowed[i]) << "in log order, only what health may receive";
  }
  std::map<std::string, int> types;
  for (const std::string& body : receiver_->accepted()) ++types[FocusType(body)];
  EXPECT_EQ(types["ArrestRecorded"], 0) << "never to health";
  EXPECT_EQ(types["ReferralSent"], 1) << "the substance-misuse referral, not the housing one";
  EXPECT_EQ(types["ConsentRecorded"], 1);
  EXPECT_EQ(types["NominalReferred"], 1) << "the on-IOM flag";
  EXPECT_GT(receiver_->requests(), static_cast<int>(got.size()))
      << "some requests failed and were retried";
  EXPECT_THAT(run.stderr_text,
              HasSubstr(absl::StrCat("notified ", got.size(), ", dead-lettered 0")));

  // Consent withdrawn: the withdrawal is the last notification about the
  // person; a restart from the checkpoint numbers on, repeating nothing.
  v1::Event withdrawn = Bare();
  withdrawn.mutable_consent_withdrawn()->set_consent_id("consent-a");
  withdrawn.mutable_consent_withdrawn()->set_reason("the person asked");
  const uint64_t withdrawal =
      MustAppend(*StubFor(kGwentHealth), kHealthWorker, person, {withdrawn});
  MustAppend(*StubFor(kProbation), kProbationOfficer, person,
             {Referral("after-withdrawal", v1::SERVICE_KIND_SUBSTANCE_MISUSE)});
  CommandResult rerun = Notifier({});
  ASSERT_EQ(rerun.status.exit_code, 0) << rerun.stderr_text;
  std::vector<std::string> bodies = receiver_->accepted();
  ASSERT_EQ(bodies.size(), got.size() + 1) << rerun.stderr_text;
  EXPECT_EQ(NumberAndPosition(bodies.back()), std::make_pair(got.size() + 1, withdrawal));
  EXPECT_EQ(FocusType(bodies.back()), "ConsentWithdrawn");

  // A refusal (400) is not retried: it goes to the dead-letter file.
  receiver_->set_mode(FhirReceiver::Mode::kRefuseAll);
  ConsentingPerson("consent-b");
  CommandResult refused = Notifier({});
  ASSERT_EQ(refused.status.exit_code, 0) << refused.stderr_text;
  EXPECT_THAT(refused.stderr_text, HasSubstr("notified 0, dead-lettered "));
  EXPECT_THAT(refused.stderr_text, HasSubstr(", retries 0,"));
  std::vector<std::string> dead =
      absl::StrSplit(ReadFileOrEmpty(dir_.Join("dead.jsonl")), '\n', absl::SkipEmpty());
  ASSERT_FALSE(dead.empty());
  EXPECT_THAT(dead[0], HasSubstr(absl::StrCat("\"eventNumber\":\"", got.size() + 2, "\"")));
  EXPECT_THAT(dead[0], HasSubstr("HTTP 400"));
}

}  // namespace
}  // namespace iomhub::testing
