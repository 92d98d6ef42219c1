#include "tests/support/https_receiver.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <openssl/ssl.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"

namespace iomhub::testing {

HttpsReceiver::HttpsReceiver(const std::string& cert_file, const std::string& key_file,
                             const std::string& ca_file, int fail_every)
    : fail_every_(fail_every) {
  ctx_ = SSL_CTX_new(TLS_server_method());
  if (SSL_CTX_use_certificate_chain_file(ctx_, cert_file.c_str()) != 1 ||
      SSL_CTX_use_PrivateKey_file(ctx_, key_file.c_str(), SSL_FILETYPE_PEM) != 1 ||
      SSL_CTX_load_verify_locations(ctx_, ca_file.c_str(), nullptr) != 1) {
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

HttpsReceiver::~HttpsReceiver() {
  stop_ = true;
  if (thread_.joinable()) thread_.join();
  if (fd_ >= 0) ::close(fd_);
  SSL_CTX_free(ctx_);
}

std::vector<HttpsReceiver::Received> HttpsReceiver::accepted() {
  absl::MutexLock lock(&mu_);
  return accepted_;
}

std::vector<std::string> HttpsReceiver::accepted_bodies() {
  std::vector<std::string> bodies;
  for (Received& r : accepted()) bodies.push_back(std::move(r.body));
  return bodies;
}

void HttpsReceiver::Loop() {
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
void HttpsReceiver::Serve(SSL* ssl) {
  std::string in;
  char buffer[16384];
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
      continue;
    }
    const int error = SSL_get_error(ssl, n);
    if (error == SSL_ERROR_WANT_READ || (error == SSL_ERROR_SYSCALL && errno == EAGAIN)) {
      continue;  // the read timed out: look at stop_
    }
    return;
  }
}

void HttpsReceiver::Answer(SSL* ssl, const std::string& body) {
  const int request = ++requests_;
  int status = 200;
  if (refuse_all_) {
    status = 400;
  } else if (fail_every_ > 0 && request % fail_every_ == 0) {
    status = 503;
  }
  if (status == 200) {
    absl::MutexLock lock(&mu_);
    accepted_.push_back({body, absl::Now()});
  }
  const std::string reply = absl::StrCat("HTTP/1.1 ", status, " X\r\nContent-Length: 0\r\n\r\n");
  SSL_write(ssl, reply.data(), static_cast<int>(reply.size()));
}

}  // namespace iomhub::testing
