#pragma once
// Running the tpq binary as a user does, for the tests that drive the CLI (test_cli,
// test_experiment): exit code, stdout and stderr, and a check that output contains a
// fragment (the whole output is shown when it does not).

#include <QProcess>
#include <QStringList>
#include <string>

namespace tpqtest {

struct CliRun {
    int code = -1;  // -1: crashed or timed out
    std::string out;
    std::string err;
};

inline CliRun tpqRun(const QStringList& args, const QString& workDir, int timeoutMs = 240000,
                     const QProcessEnvironment& env = QProcessEnvironment::systemEnvironment()) {
    QProcess p;
    p.setProcessEnvironment(env);
    p.setWorkingDirectory(workDir);
    p.start(QString(TPQ_CLI), args);
    if (!p.waitForFinished(timeoutMs)) {
        p.kill();
        return {};
    }
    return {p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1, p.readAllStandardOutput().toStdString(),
            p.readAllStandardError().toStdString()};
}

inline bool contains(const std::string& haystack, const std::string& needle) {
    return haystack.find(needle) != std::string::npos;
}

}  // namespace tpqtest

#define REQUIRE_CONTAINS(text, fragment) \
    QVERIFY2(tpqtest::contains(text, fragment), (std::string("missing '") + (fragment) + "' in:\n" + (text)).c_str())
