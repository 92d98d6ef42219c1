#include "clients/adapters/https_poster.h"

#include <curl/curl.h>

#include <mutex>

#include "absl/strings/str_cat.h"

namespace iomhub::adapters {
namespace {

size_t Discard(char* /*data*/, size_t size, size_t count, void* /*user*/) { return size * count; }

}  // namespace

std::string PostResult::ToString() const {
  return http_status != 0 ? absl::StrCat("HTTP ", http_status)
                          : absl::StrCat("no response: ", error);
}

HttpsPoster::HttpsPoster(PostOptions options) : options_(std::move(options)) {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
  CURL* curl = curl_easy_init();
  curl_ = curl;
  curl_slist* headers =
      curl_slist_append(nullptr, absl::StrCat("Content-Type: ", options_.content_type).c_str());
  headers = curl_slist_append(headers, "Accept: application/fhir+json");
  for (const std::string& header : options_.headers)
    headers = curl_slist_append(headers, header.c_str());
  headers_ = headers;
  curl_easy_setopt(curl, CURLOPT_URL, options_.endpoint.c_str());
  curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
  curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "https");
  curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, &Discard);
  curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS,
                   static_cast<long>(absl::ToInt64Milliseconds(options_.timeout)));
  if (!options_.ca_file.empty()) curl_easy_setopt(curl, CURLOPT_CAINFO, options_.ca_file.c_str());
  if (!options_.cert_file.empty()) {
    curl_easy_setopt(curl, CURLOPT_SSLCERT, options_.cert_file.c_str());
    curl_easy_setopt(curl, CURLOPT_SSLKEY, options_.key_file.c_str());
  }
}

HttpsPoster::~HttpsPoster() {
  curl_slist_free_all(static_cast<curl_slist*>(headers_));
  curl_easy_cleanup(static_cast<CURL*>(curl_));
}

PostResult HttpsPoster::Post(const std::string& body) {
  CURL* curl = static_cast<CURL*>(curl_);
  curl_easy_setopt(curl, CURLOPT_POSTFIELDS, body.c_str());
  curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE, static_cast<long>(body.size()));
  PostResult result;
  const CURLcode code = curl_easy_perform(curl);
  if (code != CURLE_OK) {
    result.error = curl_easy_strerror(code);
    return result;
  }
  curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &result.http_status);
  return result;
}

}  // namespace iomhub::adapters
