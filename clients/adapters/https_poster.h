// HttpsPoster: POSTs a body to one HTTPS endpoint with libcurl, presenting
// a client certificate (mutual TLS) and verifying the endpoint against a CA
// bundle, keeping the connection open between posts. Thread-compatible.
#ifndef IOMHUB_CLIENTS_ADAPTERS_HTTPS_POSTER_H_
#define IOMHUB_CLIENTS_ADAPTERS_HTTPS_POSTER_H_

#include <string>
#include <vector>

#include "absl/time/time.h"

namespace iomhub::adapters {

struct PostOptions {
  std::string endpoint;   // https://host:port/path
  std::string ca_file;    // CA bundle for the endpoint's certificate; empty: the system's
  std::string cert_file;  // client certificate (PEM); empty: none
  std::string key_file;
  std::string content_type = "application/fhir+json";
  // Extra request headers, each "Name: value" (Subscription.channel.header).
  std::vector<std::string> headers;
  absl::Duration timeout = absl::Seconds(10);
};

struct PostResult {
  long http_status = 0;  // 0 when there was no HTTP response
  std::string error;     // why, when there was no response
  bool ok() const { return http_status >= 200 && http_status < 300; }
  // The endpoint refused the request itself: retrying cannot help.
  bool permanent() const {
    return http_status >= 400 && http_status < 500 && http_status != 408 && http_status != 429;
  }
  std::string ToString() const;
};

class HttpsPoster {
 public:
  explicit HttpsPoster(PostOptions options);
  ~HttpsPoster();
  HttpsPoster(const HttpsPoster&) = delete;
  HttpsPoster& operator=(const HttpsPoster&) = delete;

  PostResult Post(const std::string& body);

 private:
  PostOptions options_;
  void* curl_ = nullptr;     // CURL*
  void* headers_ = nullptr;  // curl_slist*
};

}  // namespace iomhub::adapters

#endif  // IOMHUB_CLIENTS_ADAPTERS_HTTPS_POSTER_H_
