// Subprocess: starts a program (fork + exec) with its standard streams sent
// to files or a pipe, and waits for, signals or kills it. RunCommand runs a
// program to completion with a deadline and returns what it printed.
// Test-only.
//
// Children get PR_SET_PDEATHSIG(SIGKILL), so a test process that dies never
// leaves daemons behind; that signal follows the *thread* that spawned the
// child, so spawn from a thread that outlives the child (e.g. the test's
// main thread). Thread-compatible: one owner per Subprocess.
#ifndef IOMHUB_TESTS_SUPPORT_SUBPROCESS_H_
#define IOMHUB_TESTS_SUPPORT_SUBPROCESS_H_

#include <sys/types.h>

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace iomhub::testing {

// How a child process ended.
struct ExitStatus {
  int exit_code = -1;  // valid when signal == 0
  int signal = 0;      // the terminating signal, or 0 for a normal exit

  bool exited_normally() const { return signal == 0; }
  bool ok() const { return signal == 0 && exit_code == 0; }
  // "exit code N" or "killed by signal N (NAME)".
  std::string ToString() const;
};

struct SpawnOptions {
  // argv[0] is the program's path (no PATH search). Required.
  std::vector<std::string> argv{};
  // Files the child's stdin reads / stdout and stderr write (created or
  // truncated). Empty: /dev/null.
  std::string stdin_path{};
  std::string stdout_path{};
  std::string stderr_path{};
  // Send the child's stdout to a pipe instead of stdout_path; the parent
  // reads it through Subprocess::stdout_fd(). Default: false.
  bool pipe_stdout = false;
};

class Subprocess {
 public:
  // Starts the child. INTERNAL if fork or pipe fails; a program that cannot
  // be executed exits with code 127 (its stderr says why).
  static absl::StatusOr<std::unique_ptr<Subprocess>> Spawn(const SpawnOptions& options);

  // Kills (SIGKILL) and reaps the child if it still runs; closes the pipe.
  ~Subprocess();
  Subprocess(const Subprocess&) = delete;
  Subprocess& operator=(const Subprocess&) = delete;

  pid_t pid() const { return pid_; }
  // Read end of the stdout pipe (pipe_stdout only), else -1. Owned here.
  int stdout_fd() const { return stdout_fd_; }

  // True once the child has exited (reaps it without blocking).
  bool Exited();
  // The exit status, once Exited() or Wait() has seen it.
  const std::optional<ExitStatus>& exit_status() const { return exit_status_; }

  // Waits up to `timeout` for the child to exit (bounded polling).
  // DEADLINE_EXCEEDED if it is still running afterwards.
  absl::StatusOr<ExitStatus> Wait(absl::Duration timeout);

  // Sends `signal` if the child has not been reaped yet.
  void Signal(int signal);

  // SIGKILL, then reaps. Returns the exit status (the earlier one if the
  // child had already exited).
  ExitStatus Kill();

 private:
  Subprocess(pid_t pid, int stdout_fd) : pid_(pid), stdout_fd_(stdout_fd) {}
  bool Reap(bool block);

  pid_t pid_;
  int stdout_fd_;
  std::optional<ExitStatus> exit_status_;
};

// What a finished command printed.
struct CommandResult {
  ExitStatus status;
  std::string stdout_text{};
  std::string stderr_text{};
};

// Runs argv to completion with `stdin_text` as its input. If it is still
// running after `timeout` it is killed and DEADLINE_EXCEEDED returned (with
// what it printed so far in the message).
absl::StatusOr<CommandResult> RunCommand(const std::vector<std::string>& argv,
                                         absl::Duration timeout,
                                         const std::string& stdin_text = "");

// Reads a whole file; "" if it cannot be read.
std::string ReadFileOrEmpty(const std::string& path);
// Writes `text` to `path` (truncating). INTERNAL on failure.
absl::Status WriteFile(const std::string& path, const std::string& text);

}  // namespace iomhub::testing

#endif  // IOMHUB_TESTS_SUPPORT_SUBPROCESS_H_
