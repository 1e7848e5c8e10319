#pragma once

// Helpers shared by the whole-process benchmarks (bench/ingest, bench/load): run a CLI command
// and read its output, start a real `bulwark serve` on a loopback port, read /proc figures.
// Loopback only; the caller stops the server (kill + waitpid).

#include <signal.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

namespace bulwark::bench {

// A /proc/PID/status field in kB ("VmHWM:" peak RSS, "VmRSS:" current); -1 if unreadable.
inline long ProcStatusKb(pid_t pid, const char* field) {
  std::ifstream f("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  const size_t n = std::strlen(field);
  while (std::getline(f, line)) {
    if (line.compare(0, n, field) == 0) return std::stol(line.substr(n + 1));
  }
  return -1;
}

// Runs `cmd` through the shell and returns its standard output.
inline std::string RunCommand(const std::string& cmd) {
  std::string out;
  FILE* f = popen(cmd.c_str(), "r");
  char buf[512];
  size_t n;
  while (f && (n = fread(buf, 1, sizeof(buf), f)) > 0) out.append(buf, n);
  if (f) pclose(f);
  return out;
}

struct ServeProcess {
  pid_t pid = -1;
  int port = 0;  // 0: the server did not start (it has been killed)
};

// Starts `bin serve --port 0 --port-file PORT_FILE ARGS...` with stdout to /dev/null and waits up
// to `wait` for it to write its port.
inline ServeProcess StartServe(const std::string& bin, const std::vector<std::string>& args,
                               const std::string& port_file,
                               std::chrono::milliseconds wait = std::chrono::seconds(20)) {
  ServeProcess p;
  p.pid = fork();
  if (p.pid == 0) {
    std::vector<std::string> all = {bin, "serve", "--port", "0", "--port-file", port_file};
    all.insert(all.end(), args.begin(), args.end());
    std::vector<char*> argv;
    for (auto& s : all) argv.push_back(s.data());
    argv.push_back(nullptr);
    if (!std::freopen("/dev/null", "w", stdout)) _exit(126);
    execv(argv[0], argv.data());
    _exit(127);
  }
  const auto deadline = std::chrono::steady_clock::now() + wait;
  while (p.port == 0 && std::chrono::steady_clock::now() < deadline) {
    std::ifstream f(port_file);
    if (!(f >> p.port)) {
      p.port = 0;
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
  }
  if (p.port == 0 && p.pid > 0) {
    kill(p.pid, SIGKILL);
    waitpid(p.pid, nullptr, 0);
  }
  return p;
}

}  // namespace bulwark::bench
