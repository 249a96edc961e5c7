// tpq submit --slurm on a real, one-node Slurm (tests/slurm/local_slurm.sh starts munge,
// slurmctld and slurmd in a temporary folder and stops them at the end): a project of a
// baseline and six variants, two array tasks at a time, finishes with every variant
// finished and the same metrics as a plain `tpq run`, `tpq status` showing the jobs on the
// way; an array task cancelled while it runs shows as failed with its log, and submitting
// again runs only that variant. Skipped with a message where Slurm cannot run (not root, no
// slurm-wlm, daemons that do not come up in a sandbox).

#include <QElapsedTimer>
#include <QFileInfo>
#include <QProcess>
#include <QTemporaryDir>
#include <QThread>
#include <functional>

#include <nlohmann/json.hpp>

#include "cli_runner.h"
#include "experiment/project.h"
#include "test_support.h"
#include "tiny_project.h"
#include "util/file_io.h"

using tpqtest::CliRun;

class TestSlurm : public QObject {
    Q_OBJECT

    QTemporaryDir m_dir;
    QString m_conf, m_skip;

    QString work() const { return m_dir.path(); }
    QString script() const { return QString(TPQ_SOURCE_DIR) + "/tests/slurm/local_slurm.sh"; }

    CliRun run(const QString& program, const QStringList& args) const {
        QProcess p;
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.insert("SLURM_CONF", m_conf);
        p.setProcessEnvironment(env);
        p.setWorkingDirectory(work());
        p.start(program, args);
        if (!p.waitForFinished(280000)) {
            p.kill();
            return {};
        }
        return {p.exitCode(), p.readAllStandardOutput().toStdString(), p.readAllStandardError().toStdString()};
    }
    CliRun tpq(const QStringList& args) const { return run(QString(TPQ_CLI), args); }

    nlohmann::json status(const QString& project) const {
        const CliRun s = tpq({"status", project, "--json"});
        return s.code == 0 ? nlohmann::json::parse(s.out)["variants"] : nlohmann::json::array();
    }

    // Polls tpq status every 200 ms until `done` holds for its variants (true) or `seconds` pass.
    bool waitFor(const QString& project, const std::function<bool(const nlohmann::json&)>& done, int seconds,
                 const std::function<void(const nlohmann::json&)>& seen = {}) const {
        QElapsedTimer t;
        t.start();
        while (t.elapsed() < seconds * 1000) {
            const nlohmann::json v = status(project);
            if (seen) seen(v);
            if (!v.empty() && done(v)) return true;
            QThread::msleep(200);
        }
        return false;
    }

    static bool allFinished(const nlohmann::json& variants) {
        for (const auto& v : variants)
            if (v["state"] != "finished") return false;
        return true;
    }

    QString writeProject(const std::string& name, const std::string& variants) {
        tpqtest::writeTinyTask(m_dir);
        return QString::fromStdString(tpqtest::writeFile(
            m_dir, name + ".tpq.yaml",
            "tpq_project: 1\nname: " + name + "\nconfig: tiny.yaml\nresults_dir: " + name +
                "/results\ncheckpoint_dir: " + name + "/checkpoints\nvariants:\n  - baseline\n" + variants));
    }

private Q_SLOTS:
    void initTestCase() {
        QVERIFY(m_dir.isValid());
        QProcess p;
        p.start("bash", {script(), "start", work() + "/slurm"});
        QVERIFY(p.waitForFinished(60000));
        const QString out = p.readAllStandardOutput().trimmed(), err = p.readAllStandardError().trimmed();
        if (p.exitCode() == 3 || p.exitCode() == 4) {  // cannot run here / did not come up (a sandbox)
            m_skip = err;
            return;
        }
        QVERIFY2(p.exitCode() == 0 && out.startsWith("SLURM_CONF="), qPrintable(out + "\n" + err));
        m_conf = out.mid(QString("SLURM_CONF=").size());
    }

    void cleanupTestCase() {
        if (m_conf.isEmpty()) return;
        QProcess p;
        p.start("bash", {script(), "stop", work() + "/slurm"});
        p.waitForFinished(30000);
    }

    void submittedProjectFinishesLikeAPlainRun() {
        if (!m_skip.isEmpty()) QSKIP(qPrintable("no test Slurm here: " + m_skip));
        const std::string variants =
            "  - {method: unstructured, sparsity: [0.3, 0.5, 0.7], fine_tune_epochs: 0}\n"
            "  - {method: [dynamic, static]}\n"
            "  - {method: structured, heads: 0.5, ffn_sparsity: 0.25, fine_tune_epochs: 1}\n";
        const QString project = writeProject("cluster", variants);
        const CliRun dry = tpq({"submit", project, "--slurm", "--max-running", "2", "--dry-run"});
        QVERIFY2(dry.code == 0, dry.err.c_str());
        REQUIRE_CONTAINS(dry.out, "#SBATCH --array=0-5%2");
        REQUIRE_CONTAINS(dry.out, "variants=(1 2 3 4 5 6)");
        REQUIRE_CONTAINS(dry.out, "--dependency=afterok:<baseline job>");

        const CliRun submitted = tpq({"submit", project, "--slurm", "--max-running", "2", "--cpus-per-task", "1"});
        QVERIFY2(submitted.code == 0, submitted.err.c_str());
        REQUIRE_CONTAINS(submitted.out, "6 variant(s) as job array");
        bool sawJobs = false;
        QVERIFY(waitFor(project, allFinished, 300, [&](const nlohmann::json& v) {
            for (const auto& x : v)
                if ((x["state"] == "queued" || x["state"] == "running") &&
                    x["job"].get<std::string>().rfind("slurm ", 0) == 0)
                    sawJobs = true;
        }));
        QVERIFY(sawJobs);
        const tpq::Project done = tpq::Project::load(project.toStdString());  // valid, every run finished
        QCOMPARE(done.runs().size(), size_t(7));

        // The same project run plainly: the same metrics, run by run.
        const QString plain = writeProject("plain", variants);
        const CliRun local = tpq({"run", plain});
        QVERIFY2(local.code == 0, local.err.c_str());
        const tpq::Project reference = tpq::Project::load(plain.toStdString());
        for (const auto& v : done.variants()) {
            const auto read = [&](const tpq::Project& p) {
                return nlohmann::json::parse(
                    tpq::readFile(p.absolute(p.findRun(v.key())->resultDirs.at(0)) + "/result.json"));
            };
            const nlohmann::json a = read(done), b = read(reference);
            for (const char* key : {"accuracy", "f1", "loss", "sparsity", "nonzero_parameters"})
                QVERIFY2(a[key] == b[key],
                         (v.key() + " " + key + ": " + a[key].dump() + " vs " + b[key].dump()).c_str());
        }
    }

    void cancelledTaskFailsAndRunsAgain() {
        if (!m_skip.isEmpty()) QSKIP(qPrintable("no test Slurm here: " + m_skip));
        const QString project =
            writeProject("cancel",
                         "  - {method: structured, heads: 0.5, ffn_sparsity: 0.25, fine_tune_epochs: 200}\n"
                         "  - {method: dynamic}\n");
        QCOMPARE(tpq({"submit", project, "--slurm", "--max-running", "1", "--cpus-per-task", "1"}).code, 0);
        std::string job;
        QVERIFY(waitFor(
            project,
            [&](const nlohmann::json& v) {
                if (v[1]["state"] != "running") return false;
                job = v[1]["job"].get<std::string>();
                return true;
            },
            120));
        QVERIFY2(job.rfind("slurm ", 0) == 0, job.c_str());
        const QString id = QString::fromStdString(job.substr(6, job.find(' ', 6) - 6));
        QCOMPARE(run("scancel", {id}).code, 0);
        std::string log;
        QVERIFY(waitFor(
            project,
            [&](const nlohmann::json& v) {
                log = v[1]["log"].get<std::string>();
                return v[1]["state"] == "failed" && v[2]["state"] == "finished";
            },
            120));
        QVERIFY2(QFileInfo::exists(QString::fromStdString(log)), log.c_str());
        REQUIRE_CONTAINS(log, id.toStdString());

        const CliRun again = tpq({"submit", project, "--slurm", "--cpus-per-task", "1"});
        QVERIFY2(again.code == 0, again.err.c_str());
        REQUIRE_CONTAINS(again.out, "1 variant(s) as job array");
        QVERIFY(!tpqtest::contains(again.out, "baseline (variant"));
        QVERIFY(waitFor(project, allFinished, 300));
    }
};

QTEST_GUILESS_MAIN(TestSlurm)
#include "test_slurm.moc"
