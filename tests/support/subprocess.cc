#include "tests/support/subprocess.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "tests/support/temp_dir.h"

namespace iomhub::testing {
namespace {

// Between fork and exec only async-signal-safe calls are allowed (the test
// process has gRPC and RocksDB threads), so everything is prepared before.
[[noreturn]] void ExecChild(const char* stdin_path, const char* stdout_path,
                            const char* stderr_path, int stdout_pipe, pid_t parent,
                            char* const* argv) {
  ::prctl(PR_SET_PDEATHSIG, SIGKILL);
  if (::getppid() != parent) ::_exit(126);  // the parent died before prctl
  sigset_t none;
  sigemptyset(&none);
  ::sigprocmask(SIG_SETMASK, &none, nullptr);
  ::signal(SIGPIPE, SIG_DFL);
  auto redirect = [](const char* path, int flags, int target) {
    const int fd = ::open(path, flags | O_CLOEXEC, 0644);
    if (fd < 0 || ::dup2(fd, target) < 0) ::_exit(125);
    ::close(fd);
  };
  redirect(stdin_path, O_RDONLY, 0);
  if (stdout_pipe >= 0) {
    if (::dup2(stdout_pipe, 1) < 0) ::_exit(125);
  } else {
    redirect(stdout_path, O_WRONLY | O_CREAT | O_TRUNC, 1);
  }
  redirect(stderr_path, O_WRONLY | O_CREAT | O_TRUNC, 2);
  ::execv(argv[0], argv);
  const char message[] = "exec failed\n";
  ssize_t ignored = ::write(2, message, sizeof(message) - 1);
  (void)ignored;
  ::_exit(127);
}

}  // namespace

std::string ExitStatus::ToString() const {
  if (signal == 0) return absl::StrCat("exit code ", exit_code);
  return absl::StrCat("killed by signal ", signal, " (", ::strsignal(signal), ")");
}

absl::StatusOr<std::unique_ptr<Subprocess>> Subprocess::Spawn(const SpawnOptions& options) {
  if (options.argv.empty()) return absl::InvalidArgumentError("Spawn: argv is empty");
  std::vector<char*> argv;
  for (const std::string& arg : options.argv) argv.push_back(const_cast<char*>(arg.c_str()));
  argv.push_back(nullptr);
  const std::string stdin_path = options.stdin_path.empty() ? "/dev/null" : options.stdin_path;
  const std::string stdout_path = options.stdout_path.empty() ? "/dev/null" : options.stdout_path;
  const std::string stderr_path = options.stderr_path.empty() ? "/dev/null" : options.stderr_path;
  int pipe_fds[2] = {-1, -1};
  if (options.pipe_stdout && ::pipe2(pipe_fds, O_CLOEXEC) != 0) {
    return absl::InternalError(absl::StrCat("pipe2: ", std::strerror(errno)));
  }
  const pid_t parent = ::getpid();
  const pid_t pid = ::fork();
  if (pid < 0) {
    const int error = errno;
    if (pipe_fds[0] >= 0) {
      ::close(pipe_fds[0]);
      ::close(pipe_fds[1]);
    }
    return absl::InternalError(absl::StrCat("fork: ", std::strerror(error)));
  }
  if (pid == 0) {
    ExecChild(stdin_path.c_str(), stdout_path.c_str(), stderr_path.c_str(), pipe_fds[1], parent,
              argv.data());
  }
  if (pipe_fds[1] >= 0) ::close(pipe_fds[1]);
  return std::unique_ptr<Subprocess>(new Subprocess(pid, pipe_fds[0]));
}

Subprocess::~Subprocess() {
  if (!exit_status_.has_value()) Kill();
  if (stdout_fd_ >= 0) ::close(stdout_fd_);
}

bool Subprocess::Reap(bool block) {
  if (exit_status_.has_value()) return true;
  int status = 0;
  pid_t r;
  do {
    r = ::waitpid(pid_, &status, block ? 0 : WNOHANG);
  } while (r < 0 && errno == EINTR);
  if (r != pid_) return false;
  ExitStatus exit;
  if (WIFEXITED(status)) {
    exit.exit_code = WEXITSTATUS(status);
  } else if (WIFSIGNALED(status)) {
    exit.signal = WTERMSIG(status);
  }
  exit_status_ = exit;
  return true;
}

bool Subprocess::Exited() { return Reap(/*block=*/false); }

absl::StatusOr<ExitStatus> Subprocess::Wait(absl::Duration timeout) {
  const absl::Time deadline = absl::Now() + timeout;
  while (!Reap(/*block=*/false)) {
    if (absl::Now() >= deadline) {
      return absl::DeadlineExceededError(
          absl::StrCat("process ", pid_, " still running after ", absl::FormatDuration(timeout)));
    }
    absl::SleepFor(absl::Milliseconds(5));
  }
  return *exit_status_;
}

void Subprocess::Signal(int signal) {
  if (!exit_status_.has_value()) ::kill(pid_, signal);
}

ExitStatus Subprocess::Kill() {
  if (!exit_status_.has_value()) {
    ::kill(pid_, SIGKILL);
    Reap(/*block=*/true);
  }
  return *exit_status_;
}

std::string ReadFileOrEmpty(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return "";
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

absl::Status WriteFile(const std::string& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << text;
  out.close();
  if (!out) return absl::InternalError(absl::StrCat("cannot write ", path));
  return absl::OkStatus();
}

absl::StatusOr<CommandResult> RunCommand(const std::vector<std::string>& argv,
                                         absl::Duration timeout, const std::string& stdin_text) {
  TempDir dir("iomhub-cmd");
  SpawnOptions options{.argv = argv,
                       .stdin_path = dir.Join("stdin"),
                       .stdout_path = dir.Join("stdout"),
                       .stderr_path = dir.Join("stderr")};
  if (absl::Status s = WriteFile(options.stdin_path, stdin_text); !s.ok()) return s;
  auto child = Subprocess::Spawn(options);
  if (!child.ok()) return child.status();
  absl::StatusOr<ExitStatus> exit = (*child)->Wait(timeout);
  if (!exit.ok()) {
    (*child)->Kill();
    return absl::DeadlineExceededError(
        absl::StrCat(argv[0], " did not finish within ", absl::FormatDuration(timeout),
                     "; stdout:\n", ReadFileOrEmpty(options.stdout_path), "\nstderr:\n",
                     ReadFileOrEmpty(options.stderr_path)));
  }
  return CommandResult{.status = *exit,
                       .stdout_text = ReadFileOrEmpty(options.stdout_path),
                       .stderr_text = ReadFileOrEmpty(options.stderr_path)};
}

}  // namespace iomhub::testing
