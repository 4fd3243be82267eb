// Credential, region and endpoint resolution from the environment and the
// AWS shared files, each test in its own temporary HOME.
#include "geobatch/store/s3/aws_config.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "geobatch/store/s3/ini_file.h"
#include "geobatch/util/error.h"

namespace geobatch {
namespace {

class AwsConfigTest : public ::testing::Test {
 protected:
  void SetUp() override {
    home_ = std::filesystem::temp_directory_path() / ("geobatch_aws_home_" + std::to_string(::getpid()));
    std::filesystem::create_directories(home_ / ".aws");
    for (const char* name : kVariables) {
      if (const char* value = std::getenv(name)) saved_.emplace_back(name, value);
      ::unsetenv(name);
    }
    ::setenv("HOME", home_.c_str(), 1);
  }
  void TearDown() override {
    for (const char* name : kVariables) ::unsetenv(name);
    for (const auto& [name, value] : saved_) ::setenv(name.c_str(), value.c_str(), 1);
    std::filesystem::remove_all(home_);
  }
  void Write(const char* name, const char* text) { std::ofstream(home_ / ".aws" / name) << text; }

  static constexpr const char* kVariables[] = {"HOME", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY",
                                               "AWS_SESSION_TOKEN", "AWS_SHARED_CREDENTIALS_FILE",
                                               "AWS_CONFIG_FILE"};
  std::filesystem::path home_;
  std::vector<std::pair<std::string, std::string>> saved_;
};

TEST_F(AwsConfigTest, NoCredentialsMeansUnsigned) {
  const AwsSettings settings = ResolveAwsSettings({});
  EXPECT_FALSE(settings.credentials);
  EXPECT_EQ(settings.region, "us-east-1");
  EXPECT_NE(settings.credential_source.find("unsigned"), std::string::npos);
}

TEST_F(AwsConfigTest, EnvironmentComesFirst) {
  Write("credentials", "[default]\naws_access_key_id = FILEKEY\naws_secret_access_key = FILESECRET\n");
  ::setenv("AWS_ACCESS_KEY_ID", "ENVKEY", 1);
  ::setenv("AWS_SECRET_ACCESS_KEY", "ENVSECRET", 1);
  ::setenv("AWS_SESSION_TOKEN", "TOKEN", 1);
  const AwsSettings settings = ResolveAwsSettings({});
  ASSERT_TRUE(settings.credentials);
  EXPECT_EQ(settings.credentials->access_key_id, "ENVKEY");
  EXPECT_EQ(settings.credentials->session_token, "TOKEN");
}

TEST_F(AwsConfigTest, ProfilesFromBothFiles) {
  Write("credentials",
        "# comment\n[default]\naws_access_key_id=D\naws_secret_access_key=DS\n\n"
        "[research]\naws_access_key_id = R\naws_secret_access_key = RS\n");
  Write("config",
        "[default]\nregion = eu-west-1\n[profile research]\nregion = us-west-2\n"
        "endpoint_url = http://127.0.0.1:9000\ns3 =\n  addressing_style = path\n"
        "[profile other]\naws_access_key_id = O\naws_secret_access_key = OS\n");
  AwsSettings settings = ResolveAwsSettings({});
  EXPECT_EQ(settings.credentials->access_key_id, "D");
  EXPECT_EQ(settings.region, "eu-west-1");

  RemoteOptions research;
  research.profile = "research";
  settings = ResolveAwsSettings(research);
  EXPECT_EQ(settings.credentials->secret_access_key, "RS");
  EXPECT_EQ(settings.region, "us-west-2");
  EXPECT_EQ(settings.endpoint, "http://127.0.0.1:9000");

  RemoteOptions other;
  other.profile = "other";
  other.region = "ap-south-1";  // explicit settings beat the profile's
  settings = ResolveAwsSettings(other);
  EXPECT_EQ(settings.credentials->access_key_id, "O");
  EXPECT_EQ(settings.region, "ap-south-1");
  EXPECT_EQ(settings.credential_source.find("OS"), std::string::npos);  // never the secret
}

TEST_F(AwsConfigTest, AnonymousSkipsCredentials) {
  Write("credentials", "[default]\naws_access_key_id=D\naws_secret_access_key=DS\n");
  RemoteOptions options;
  options.anonymous = true;
  EXPECT_FALSE(ResolveAwsSettings(options).credentials);
}

TEST_F(AwsConfigTest, MissingOrHalfProfilesAreErrors) {
  RemoteOptions missing;
  missing.profile = "nope";
  EXPECT_THROW(ResolveAwsSettings(missing), Error);
  Write("credentials", "[default]\naws_access_key_id=D\n");
  EXPECT_THROW(ResolveAwsSettings({}), Error);
}

TEST(IniFile, ParsesSectionsAndSkipsNestedSettings) {
  const IniFile file = ParseIni("top=ignored\n[a]\nx = 1\n; c\n# c\n[b ]\ny= two words \nnested =\n  z = 3\n");
  EXPECT_EQ(file.at("a").at("x"), "1");
  EXPECT_EQ(file.at("b").at("y"), "two words");
  EXPECT_EQ(file.at("b").at("nested"), "");
  EXPECT_EQ(file.at("b").count("z"), 0u);
  EXPECT_EQ(file.count(""), 0u);
}

}  // namespace
}  // namespace geobatch
