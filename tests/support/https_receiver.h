// HttpsReceiver: a FHIR rest-hook endpoint for tests and benchmarks:
// HTTPS on 127.0.0.1 at a kernel-chosen port (OpenSSL), requiring a client
// certificate signed by the given CA; one connection at a time (a notifier
// keeps one open). Answers 200 (keeping each body and when it arrived), or
// 503 to every `fail_every`th request, or 400 to all (refuse_all).
// Thread-safe.
#ifndef IOMHUB_TESTS_SUPPORT_HTTPS_RECEIVER_H_
#define IOMHUB_TESTS_SUPPORT_HTTPS_RECEIVER_H_

#include <atomic>
#include <string>
#include <thread>
#include <vector>

#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"

typedef struct ssl_st SSL;
typedef struct ssl_ctx_st SSL_CTX;

namespace iomhub::testing {

class HttpsReceiver {
 public:
  struct Received {
    std::string body;
    absl::Time at;
  };

  // `cert_file`/`key_file`: the receiver's own certificate (for localhost);
  // `ca_file`: the CA client certificates must chain to. url() is empty
  // when it could not start.
  HttpsReceiver(const std::string& cert_file, const std::string& key_file,
                const std::string& ca_file, int fail_every = 0);
  ~HttpsReceiver();

  const std::string& url() const { return url_; }  // https://localhost:PORT/notify
  void set_refuse_all(bool refuse) { refuse_all_ = refuse; }
  int requests() const { return requests_.load(); }
  std::vector<Received> accepted();
  std::vector<std::string> accepted_bodies();

 private:
  void Loop();
  void Serve(SSL* ssl);
  void Answer(SSL* ssl, const std::string& body);

  const int fail_every_;
  SSL_CTX* ctx_ = nullptr;
  int fd_ = -1;
  std::string url_;
  std::thread thread_;
  std::atomic<bool> stop_{false};
  std::atomic<bool> refuse_all_{false};
  std::atomic<int> requests_{0};
  absl::Mutex mu_;
  std::vector<Received> accepted_ ABSL_GUARDED_BY(mu_);
};

}  // namespace iomhub::testing

#endif  // IOMHUB_TESTS_SUPPORT_HTTPS_RECEIVER_H_
