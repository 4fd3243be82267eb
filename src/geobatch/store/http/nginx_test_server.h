// For tests: a real nginx (Debian's package) serving a temporary directory
// on 127.0.0.1 with byte-range support (nginx's default for static files)
// and autoindex directory listings, started and stopped by the test. Its
// access log counts the requests that reached the server.
#pragma once

#include <gtest/gtest.h>
#include <netinet/in.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>

extern char** environ;

namespace geobatch::testing {

class NginxTestServer {
 public:
  NginxTestServer() {
    namespace fs = std::filesystem;
    dir_ = fs::temp_directory_path() / ("geobatch_nginx_" + std::to_string(::getpid()) + "_" +
                                        std::to_string(counter_++));
    fs::remove_all(dir_);
    fs::create_directories(root());
    port_ = FreePort();
    std::ofstream conf(dir_ / "nginx.conf");
    conf << (::geteuid() == 0 ? "user root;\n" : "") << "daemon off;\nworker_processes 1;\n"
         << "pid " << (dir_ / "nginx.pid").string() << ";\n"
         << "error_log " << (dir_ / "error.log").string() << " warn;\n"
         << "events { worker_connections 1024; }\n"
         << "http {\n"
         << "  log_format counted '$request_method $uri $status';\n"
         << "  access_log " << (dir_ / "access.log").string() << " counted;\n";
    for (const char* temp : {"client_body", "proxy", "fastcgi", "uwsgi", "scgi"}) {
      conf << "  " << temp << "_temp_path " << (dir_ / temp).string() << ";\n";
    }
    conf << "  keepalive_requests 100000;\n"
         << "  server {\n    listen 127.0.0.1:" << port_ << ";\n"
         << "    root " << root().string() << ";\n    autoindex on;\n"
         << "    location /forbidden/ { return 403; }\n  }\n}\n";
    conf.close();
    const std::string conf_path = (dir_ / "nginx.conf").string(), prefix = dir_.string() + "/",
                      error_log = (dir_ / "error.log").string();
    const char* argv[] = {"nginx", "-p", prefix.c_str(), "-c", conf_path.c_str(), "-e", error_log.c_str(), nullptr};
    if (posix_spawnp(&pid_, "nginx", nullptr, nullptr, const_cast<char**>(argv), environ) != 0) pid_ = -1;
    WaitUntilListening();
  }

  ~NginxTestServer() {
    if (pid_ > 0) {
      ::kill(pid_, SIGTERM);
      int status;
      ::waitpid(pid_, &status, 0);
    }
    std::filesystem::remove_all(dir_);
  }

  bool running() const { return running_; }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }
  std::filesystem::path root() const { return dir_ / "www"; }

  void Put(const std::string& path, std::string_view contents) const {
    const auto file = root() / path;
    std::filesystem::create_directories(file.parent_path());
    std::ofstream(file, std::ios::binary) << contents;
  }

  // Requests served so far.
  size_t RequestCount() const {
    std::ifstream log(dir_ / "access.log");
    size_t lines = 0;
    for (std::string line; std::getline(log, line);) ++lines;
    return lines;
  }

 private:
  static int FreePort() {
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address);
    socklen_t size = sizeof address;
    ::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &size);
    ::close(fd);
    return ntohs(address.sin_port);
  }

  void WaitUntilListening() {
    for (int i = 0; i < 200 && pid_ > 0; ++i) {
      const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
      sockaddr_in address{};
      address.sin_family = AF_INET;
      address.sin_port = htons(static_cast<uint16_t>(port_));
      address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
      const bool up = ::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0;
      ::close(fd);
      if (up) {
        running_ = true;
        return;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(25));
    }
  }

  static inline int counter_ = 0;
  std::filesystem::path dir_;
  int port_ = 0;
  pid_t pid_ = -1;
  bool running_ = false;
};

}  // namespace geobatch::testing
