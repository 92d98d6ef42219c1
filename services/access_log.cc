#include "services/access_log.h"

#include <cerrno>
#include <cstring>

#include "absl/status/status.h"
#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/clock.h"
#include "projections/enum_words.h"

namespace iomhub::services {
namespace {

// A JSON string literal.
std::string Json(absl::string_view text) {
  std::string out = "\"";
  for (const char c : text) {
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          absl::StrAppend(&out, "\\u00", absl::BytesToHexString(absl::string_view(&c, 1)));
        } else {
          out += c;
        }
    }
  }
  return out + "\"";
}

class Interceptor : public grpc::experimental::Interceptor {
 public:
  Interceptor(grpc::experimental::ServerRpcInfo* info, AccessLog* log, const Authenticator* auth)
      : info_(info), log_(log), auth_(auth), start_(absl::Now()) {}

  void Intercept(grpc::experimental::InterceptorBatchMethods* methods) override {
    using grpc::experimental::InterceptionHookPoints;
    if (methods->QueryInterceptionHookPoint(InterceptionHookPoints::POST_RECV_MESSAGE)) {
      ++messages_in_;
    }
    if (methods->QueryInterceptionHookPoint(InterceptionHookPoints::PRE_SEND_MESSAGE)) {
      ++messages_out_;
    }
    if (methods->QueryInterceptionHookPoint(InterceptionHookPoints::PRE_SEND_STATUS)) {
      Log(methods->GetSendStatus());
    }
    methods->Proceed();
  }

 private:
  void Log(const grpc::Status& status) {
    grpc::ServerContextBase* context = info_->server_context();
    std::string line = absl::StrCat(
        "{\"time\":", Json(absl::FormatTime(absl::RFC3339_full, absl::Now(), absl::UTCTimeZone())),
        ",\"method\":", Json(info_->method()));
    if (context != nullptr) {
      absl::StrAppend(&line, ",\"peer\":", Json(context->peer()));
      absl::StatusOr<v1::Actor> actor = auth_->Authenticate(*context);
      if (actor.ok()) {
        absl::StrAppend(&line, ",\"principal\":", Json(actor->system()),
                        ",\"agency\":", Json(projections::AgencyName(actor->agency())),
                        ",\"user\":", Json(actor->user_id()),
                        ",\"role\":", Json(projections::RoleName(actor->role())),
                        ",\"purpose\":", Json(actor->purpose()));
      } else {
        absl::StrAppend(&line, ",\"identity_error\":", Json(actor.status().message()));
      }
    }
    absl::StrAppend(
        &line, ",\"code\":",
        Json(absl::StatusCodeToString(static_cast<absl::StatusCode>(status.error_code()))));
    if (!status.ok()) absl::StrAppend(&line, ",\"message\":", Json(status.error_message()));
    absl::StrAppend(&line, ",\"duration_ms\":",
                    absl::StrFormat("%.3f", absl::ToDoubleMilliseconds(absl::Now() - start_)),
                    ",\"messages_in\":", messages_in_, ",\"messages_out\":", messages_out_, "}");
    log_->Write(line);
  }

  grpc::experimental::ServerRpcInfo* const info_;
  AccessLog* const log_;
  const Authenticator* const auth_;
  const absl::Time start_;
  uint64_t messages_in_ = 0;
  uint64_t messages_out_ = 0;
};

class Factory : public grpc::experimental::ServerInterceptorFactoryInterface {
 public:
  Factory(AccessLog* log, const Authenticator* auth) : log_(log), auth_(auth) {}
  grpc::experimental::Interceptor* CreateServerInterceptor(
      grpc::experimental::ServerRpcInfo* info) override {
    return new Interceptor(info, log_, auth_);
  }

 private:
  AccessLog* const log_;
  const Authenticator* const auth_;
};

}  // namespace

absl::StatusOr<std::unique_ptr<AccessLog>> AccessLog::Open(const std::string& destination) {
  if (destination == "-") return std::unique_ptr<AccessLog>(new AccessLog(stderr, false));
  std::FILE* file = std::fopen(destination.c_str(), "ae");
  if (file == nullptr) {
    return absl::FailedPreconditionError(absl::StrCat("cannot open the access log ", destination,
                                                      " for appending: ", std::strerror(errno)));
  }
  return std::unique_ptr<AccessLog>(new AccessLog(file, true));
}

AccessLog::~AccessLog() {
  if (owned_) std::fclose(file_);
}

void AccessLog::Write(const std::string& line) {
  absl::MutexLock lock(&mu_);
  std::fwrite(line.data(), 1, line.size(), file_);
  std::fputc('\n', file_);
  std::fflush(file_);
}

std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface> AccessLog::Interceptors(
    const Authenticator* auth) {
  return std::make_unique<Factory>(this, auth);
}

}  // namespace iomhub::services
