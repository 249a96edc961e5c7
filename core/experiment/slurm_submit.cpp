#include "experiment/slurm_submit.h"

#include <cstdio>
#include <filesystem>

#include <nlohmann/json.hpp>
#include <sys/wait.h>

#include "experiment/project.h"
#include "util/error.h"
#include "util/file_io.h"
#include "util/strings.h"

namespace tpq {
namespace fs = std::filesystem;

namespace {

std::string shellQuote(const std::string& s) {
    std::string out = "'";
    for (char c : s) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
    return out + "'";
}

struct CommandResult {
    int exitCode = -1;
    std::string output;  // stdout and stderr
};

CommandResult runCommand(const std::vector<std::string>& argv) {
    std::string line;
    for (const auto& a : argv) line += (line.empty() ? "" : " ") + shellQuote(a);
    line += " 2>&1";
    CommandResult r;
    std::FILE* p = ::popen(line.c_str(), "r");
    if (!p) return r;
    char buffer[4096];
    size_t n;
    while ((n = std::fread(buffer, 1, sizeof buffer, p)) > 0) r.output.append(buffer, n);
    const int status = ::pclose(p);
    r.exitCode = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    return r;
}

bool onPath(const std::string& program) {
    return runCommand({"sh", "-c", "command -v " + program}).exitCode == 0;
}

std::string script(const SlurmOptions& o, const std::string& jobName, const std::string& log,
                   const std::vector<std::string>& extraDirectives, const std::string& body) {
    std::string s = "#!/bin/bash\n# Written by tpq submit --slurm; submitted with sbatch.\n";
    s += "#SBATCH --job-name=" + jobName + "\n#SBATCH --output=" + log + "\n";
    if (!o.partition.empty()) s += "#SBATCH --partition=" + o.partition + "\n";
    if (!o.time.empty()) s += "#SBATCH --time=" + o.time + "\n";
    if (o.cpusPerTask > 0) s += "#SBATCH --cpus-per-task=" + std::to_string(o.cpusPerTask) + "\n";
    if (!o.mem.empty()) s += "#SBATCH --mem=" + o.mem + "\n";
    if (!o.account.empty()) s += "#SBATCH --account=" + o.account + "\n";
    for (const auto& d : extraDirectives) s += "#SBATCH " + d + "\n";
    s += "set -euo pipefail\ncd " + shellQuote(o.workDir) + "\n";
    s += "threads=\"${SLURM_CPUS_PER_TASK:-0}\"\n";
    return s + body;
}

// The variant indices to submit: unfinished (or stale) ones whose job is not queued or running.
void selectVariants(const Project& project, SlurmSubmission& sub) {
    const SlurmQueue queue = SlurmQueue::snapshot();
    for (size_t i = 0; i < project.variants().size(); ++i) {
        const auto& v = project.variants()[i];
        const ProjectRun* r = project.findRun(v.key());
        if (r && r->status == RunStatus::Finished && !project.isStale(*r)) continue;
        if (r && r->status == RunStatus::Running) {
            if (const auto job = slurmJobOf(r->job); job && queue.of(*job).alive) {
                sub.skippedActive.push_back(int(i));
                continue;
            }
        }
        if (v.method == Method::Baseline)
            sub.baselineIndex = int(i);
        else
            sub.arrayVariants.push_back(int(i));
    }
}

std::string submit(const std::vector<std::string>& command) {
    const CommandResult r = runCommand(command);
    if (r.exitCode != 0) throw Error("sbatch refused the job: " + std::string(trim(r.output)));
    const std::string id = std::string(trim(r.output));
    return id.substr(0, id.find(';'));  // --parsable: "id" or "id;cluster"
}

}  // namespace

std::string slurmFolder(const Project& project) {
    return project.sideFolder(".slurm");
}

SlurmSubmission submitToSlurm(const Project& project, const SlurmOptions& o) {
    if (o.cpusPerTask < 0) throw Error("--cpus-per-task must be 1 or more");
    if (o.maxRunning < 0) throw Error("--max-running must be 1 or more");
    SlurmSubmission sub;
    sub.folder = slurmFolder(project);
    selectVariants(project, sub);
    if (sub.baselineIndex < 0 && sub.arrayVariants.empty()) return sub;
    if (!o.dryRun && !onPath("sbatch"))
        throw Error(
            "sbatch is not on PATH: run tpq submit on a machine of the cluster (a login node), or install "
            "Slurm's client (slurm-client) with a slurm.conf that names the cluster (SLURM_CONF)");
    ensureDirectory(sub.folder + "/logs");
    const std::string name = project.name();
    const std::string tpq = shellQuote(o.tpqBinary), file = shellQuote(project.path());
    if (sub.baselineIndex >= 0) {
        sub.baselineScript = sub.folder + "/baseline.sbatch";
        writeFileAtomic(sub.baselineScript,
                        script(o, "tpq-" + name + "-baseline", sub.folder + "/logs/baseline-%j.out", {},
                               "exec " + tpq + " --threads \"$threads\" run " + file + " --variant-index " +
                                   std::to_string(sub.baselineIndex) + "\n"));
        std::vector<std::string> command = {"sbatch", "--parsable"};
        command.insert(command.end(), o.sbatchArgs.begin(), o.sbatchArgs.end());
        command.push_back(sub.baselineScript);
        sub.commands.push_back(join(command, " "));
        if (!o.dryRun) sub.baselineJob = submit(command);
    }
    if (!sub.arrayVariants.empty()) {
        std::vector<std::string> indices;
        for (int i : sub.arrayVariants) indices.push_back(std::to_string(i));
        std::string array = "--array=0-" + std::to_string(sub.arrayVariants.size() - 1);
        if (o.maxRunning > 0) array += "%" + std::to_string(o.maxRunning);
        sub.arrayScript = sub.folder + "/variants.sbatch";
        writeFileAtomic(sub.arrayScript,
                        script(o, "tpq-" + name + "-variants", sub.folder + "/logs/variant-%A_%a.out", {array},
                               "variants=(" + join(indices, " ") + ")  # variant index of each array task\n" + "exec " +
                                   tpq + " --threads \"$threads\" run " + file +
                                   " --variant-index \"${variants[$SLURM_ARRAY_TASK_ID]}\"\n"));
        std::vector<std::string> command = {"sbatch", "--parsable"};
        if (sub.baselineIndex >= 0)
            command.push_back("--dependency=afterok:" + (o.dryRun ? std::string("<baseline job>") : sub.baselineJob));
        command.insert(command.end(), o.sbatchArgs.begin(), o.sbatchArgs.end());
        command.push_back(sub.arrayScript);
        sub.commands.push_back(join(command, " "));
        if (!o.dryRun) sub.arrayJob = submit(command);
    }
    if (!o.dryRun) {
        nlohmann::json j;
        j["baseline"] = {{"job", sub.baselineJob}, {"variant_index", sub.baselineIndex}};
        j["array"] = {{"job", sub.arrayJob}, {"variant_indices", sub.arrayVariants}};
        writeFileAtomic(sub.folder + "/jobs.json", j.dump(2) + "\n");
    }
    return sub;
}

std::vector<std::string> SlurmQueue::command() {
    // -r: every array task on a line of its own ("123_4"), pending ones included.
    return {"squeue", "-h", "-r", "--me", "-o", "%i %T"};
}

SlurmQueue SlurmQueue::fromOutput(const std::string& output, bool answered) {
    SlurmQueue q;
    if (!answered) return q;
    q.m_known = true;
    for (const auto& line : split(output, '\n')) {
        const auto fields = split(std::string(trim(line)), ' ');
        if (fields.size() >= 2) q.m_states[fields[0]] = fields[1];
    }
    return q;
}

SlurmQueue SlurmQueue::snapshot() {
    const CommandResult r = runCommand(command());
    return fromOutput(r.output, r.exitCode == 0);
}

SlurmJobState SlurmQueue::of(const std::string& job) const {
    SlurmJobState s;
    s.known = m_known;
    const auto it = m_states.find(job);
    if (it == m_states.end()) return s;
    s.state = it->second;
    s.alive = s.state != "COMPLETED" && s.state != "FAILED" && s.state != "CANCELLED" && s.state != "TIMEOUT" &&
              s.state != "NODE_FAIL" && s.state != "OUT_OF_MEMORY";
    return s;
}

std::optional<std::string> slurmJobOf(const std::string& jobDescription) {
    if (!startsWith(jobDescription, "slurm ")) return std::nullopt;
    const std::string rest = jobDescription.substr(6);
    return rest.substr(0, rest.find(' '));
}

std::string slurmLogOf(const std::string& folder, const std::string& job) {
    return folder + "/logs/" + (job.find('_') == std::string::npos ? "baseline-" : "variant-") + job + ".out";
}

namespace {

// Where `index` waits in what tpq submit sent (jobs.json): "123_4" or the baseline's "123"; "" if nowhere.
std::string submittedJob(const nlohmann::json& jobs, size_t index) {
    std::string job;
    if (!jobs.is_object()) return job;
    const auto& array = jobs.value("array", nlohmann::json::object());
    const auto indices = array.value("variant_indices", std::vector<int>{});
    for (size_t t = 0; t < indices.size(); ++t)
        if (indices[t] == int(index) && !array.value("job", std::string()).empty())
            job = array["job"].get<std::string>() + "_" + std::to_string(t);
    const auto& base = jobs.value("baseline", nlohmann::json::object());
    if (base.value("variant_index", -1) == int(index)) job = base.value("job", std::string());
    return job;
}

// A variant's state: the project's record, and Slurm's word on its job.
VariantStatus statusOf(const Project& project, size_t index, const nlohmann::json& jobs, const SlurmQueue& queue) {
    VariantStatus s;
    s.index = index;
    s.variant = project.variants()[index].key();
    const ProjectRun* r = project.findRun(s.variant);
    if (r) {
        s.runIds = r->runIds;
        s.state = project.isStale(*r) ? "stale" : runStatusName(r->status);
        s.job = r->job;
        if (r->status == RunStatus::Running)
            if (const auto job = slurmJobOf(r->job)) {
                const SlurmJobState q = queue.of(*job);
                if (q.known && !q.alive) {
                    s.state = "failed";  // its job ended without finishing it: killed, time limit, scancel
                    s.log = slurmLogOf(slurmFolder(project), *job);
                }
            }
        if (r->status == RunStatus::Finished || s.state == "failed") return s;
    }
    if (!r) s.state = "pending";
    const std::string job = submittedJob(jobs, index);  // submitted and waiting?
    if (!job.empty() && s.state != "running") {
        const SlurmJobState q = queue.of(job);
        if (q.alive) {
            s.state = "queued";
            s.job = "slurm " + job + " (" + q.state + ")";
        }
    }
    return s;
}

}  // namespace

std::vector<VariantStatus> projectStatus(const Project& project, const SlurmQueue& queue) {
    nlohmann::json jobs;
    const std::string jobsFile = slurmFolder(project) + "/jobs.json";
    std::error_code ec;
    if (std::filesystem::exists(jobsFile, ec)) jobs = nlohmann::json::parse(readFile(jobsFile), nullptr, false);
    std::vector<VariantStatus> out;
    for (size_t i = 0; i < project.variants().size(); ++i) out.push_back(statusOf(project, i, jobs, queue));
    return out;
}

}  // namespace tpq
