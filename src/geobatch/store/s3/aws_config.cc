#include "geobatch/store/s3/aws_config.h"

#include <cstdlib>
#include <fstream>
#include <sstream>

#include "geobatch/store/s3/ini_file.h"
#include "geobatch/util/error.h"

namespace geobatch {
namespace {

std::string Env(const char* name) {
  const char* value = std::getenv(name);
  return value ? value : "";
}

// The file named by `variable`, else ~/.aws/`name`.
std::string SharedFilePath(const char* variable, const char* name) {
  std::string path = Env(variable);
  if (path.empty() && !Env("HOME").empty()) path = Env("HOME") + "/.aws/" + name;
  return path;
}

std::optional<IniFile> LoadIni(const std::string& path) {
  if (path.empty()) return std::nullopt;
  std::ifstream in(path);
  if (!in) return std::nullopt;
  std::ostringstream text;
  text << in.rdbuf();
  return ParseIni(text.str());
}

const IniSection* FindSection(const std::optional<IniFile>& file, const std::string& name) {
  if (!file) return nullptr;
  auto it = file->find(name);
  return it == file->end() ? nullptr : &it->second;
}

std::string Value(const IniSection* section, const char* name) {
  if (!section) return "";
  auto it = section->find(name);
  return it == section->end() ? "" : it->second;
}

// Credentials from a section, if it has a key pair.
std::optional<AwsCredentials> KeyPair(const IniSection* section, const std::string& where) {
  const std::string id = Value(section, "aws_access_key_id");
  const std::string secret = Value(section, "aws_secret_access_key");
  if (id.empty() && secret.empty()) return std::nullopt;
  if (id.empty() || secret.empty()) {
    throw InvalidArgumentError(where + " has only one of aws_access_key_id and aws_secret_access_key");
  }
  return AwsCredentials{id, secret, Value(section, "aws_session_token")};
}

}  // namespace

AwsSettings ResolveAwsSettings(const RemoteOptions& options) {
  AwsSettings settings;
  const std::string profile = options.profile.empty() ? "default" : options.profile;
  const std::string credentials_path = SharedFilePath("AWS_SHARED_CREDENTIALS_FILE", "credentials");
  const std::string config_path = SharedFilePath("AWS_CONFIG_FILE", "config");
  const auto credentials_file = LoadIni(credentials_path);
  const auto config_file = LoadIni(config_path);
  const IniSection* in_credentials = FindSection(credentials_file, profile);
  const IniSection* in_config = FindSection(config_file, profile == "default" ? profile : "profile " + profile);
  if (!options.profile.empty() && !in_credentials && !in_config) {
    throw InvalidArgumentError("AWS profile '" + profile + "' is in neither '" + credentials_path + "' nor '" +
                               config_path + "'");
  }

  settings.region = !options.region.empty() ? options.region : Value(in_config, "region");
  if (settings.region.empty()) settings.region = "us-east-1";
  settings.endpoint = !options.endpoint.empty() ? options.endpoint : Value(in_config, "endpoint_url");
  if (options.anonymous.value_or(false)) {
    settings.credential_source = "anonymous access was requested";
    return settings;
  }

  const std::string id = Env("AWS_ACCESS_KEY_ID"), secret = Env("AWS_SECRET_ACCESS_KEY");
  if (!id.empty() && !secret.empty()) {
    settings.credentials = AwsCredentials{id, secret, Env("AWS_SESSION_TOKEN")};
    settings.credential_source = "credentials from the environment";
  } else if (auto pair = KeyPair(in_credentials, "profile '" + profile + "' in " + credentials_path)) {
    settings.credentials = std::move(pair);
    settings.credential_source = "credentials of profile '" + profile + "' in " + credentials_path;
  } else if (auto pair = KeyPair(in_config, "profile '" + profile + "' in " + config_path)) {
    settings.credentials = std::move(pair);
    settings.credential_source = "credentials of profile '" + profile + "' in " + config_path;
  } else {
    settings.credential_source = "no credentials were found, so the request was unsigned";
  }
  return settings;
}

}  // namespace geobatch
