#pragma once
/// \file slurm_submit.h
/// `tpq submit PROJECT --slurm`: a project's unfinished variants as Slurm jobs — the
/// baseline as one job, the other variants as one job array that waits for it
/// (`--dependency=afterok`), each task running `tpq run PROJECT --variant-index I` — with
/// the sbatch scripts, the logs and jobs.json in `<project>.slurm/`. And what Slurm says
/// of those jobs for `tpq status` (squeue: a job no longer listed has ended).

#include <map>
#include <optional>
#include <string>
#include <vector>

namespace tpq {

class Project;

struct SlurmOptions {
    std::string partition;                // --partition ("" = the cluster's default)
    std::string time;                     // --time, e.g. "02:00:00"
    int cpusPerTask = 0;                  // --cpus-per-task (0 = not given); tpq uses that many threads
    std::string mem;                      // --mem, e.g. "8G"
    int maxRunning = 0;                   // array tasks at once (%N); 0 = no limit
    std::string account;                  // --account
    std::vector<std::string> sbatchArgs;  // anything else, passed to sbatch as given
    bool dryRun = false;                  // write and print the scripts, submit nothing
    std::string tpqBinary;                // the tpq the jobs run (absolute)
    std::string workDir;                  // where the jobs run (relative data paths resolve there)
};

struct SlurmSubmission {
    std::string folder;              // <project>.slurm/
    int baselineIndex = -1;          // the baseline variant's index when it is submitted, else -1
    std::vector<int> arrayVariants;  // variant index of array task 0, 1, ...
    std::string baselineScript;      // paths of the scripts written ("" when not needed)
    std::string arrayScript;
    std::vector<std::string> commands;  // the sbatch command lines, in order
    std::string baselineJob, arrayJob;  // job ids once submitted
    std::vector<int> skippedActive;     // unfinished variants left alone: their job is still queued or running
};

/// Writes the scripts for `project`'s unfinished variants (none: nothing to do, the
/// submission says so by being empty) and, unless dryRun, submits them with sbatch and
/// records the job ids in <folder>/jobs.json. Throws tpq::Error for bad options, a missing
/// sbatch (saying how to point tpq at a cluster), or sbatch's refusal (its message).
SlurmSubmission submitToSlurm(const Project& project, const SlurmOptions& options);

/// The folder of `project`'s Slurm files: its path without ".tpq.yaml" + ".slurm".
std::string slurmFolder(const Project& project);

/// A Slurm job as `tpq status` sees it.
struct SlurmJobState {
    bool known = false;  // squeue answered (Slurm reachable)
    bool alive = false;  // queued or running
    std::string state;   // squeue's %T: PENDING, RUNNING, ... ("" once ended)
};

/// One `squeue --me` of this user's jobs (array tasks one by one), asked once and then
/// looked up per job: tpq status and tpq submit ask about every variant.
class SlurmQueue {
public:
    /// Runs squeue; a queue that cannot be asked (no Slurm) answers known = false for all.
    static SlurmQueue snapshot();
    /// The squeue command snapshot() runs, for a caller that runs it itself (the GUI, off
    /// its thread) and hands the output to fromOutput().
    static std::vector<std::string> command();
    /// A queue from squeue's output; `answered` false (squeue missing or failing) = unknown.
    static SlurmQueue fromOutput(const std::string& output, bool answered);
    /// `job` ("123" or "123_4"); a job no longer listed has ended.
    SlurmJobState of(const std::string& job) const;

private:
    bool m_known = false;
    std::map<std::string, std::string> m_states;  // job id -> %T
};

/// A variant's state as tpq status and the GUI's Results panel show it: "pending" (never
/// started), "queued" (its Slurm job waits), "running", "failed" (its Slurm job ended without
/// finishing it; `log` names the job's log), "cancelled", "finished" or "stale" (made from an
/// older baseline).
struct VariantStatus {
    size_t index = 0;
    std::string variant;  // VariantSpec::key()
    std::string state;
    std::vector<std::string> runIds;
    std::string job;  // who runs it ("slurm 12_3 on node7", "pid 42 on host") or the queued job
    std::string log;
};

/// Every variant of `project` in order, from its runs, `<project>.slurm/jobs.json` (what tpq
/// submit sent) and `queue`.
std::vector<VariantStatus> projectStatus(const Project& project, const SlurmQueue& queue);

/// The job id in a ProjectRun::job written under Slurm ("slurm 123_4 on node7" -> "123_4"),
/// else nullopt.
std::optional<std::string> slurmJobOf(const std::string& jobDescription);
/// The log file Slurm writes for `job` of a submission folder (baseline-<id>.out or
/// variant-<array>_<task>.out under logs/).
std::string slurmLogOf(const std::string& folder, const std::string& job);

}  // namespace tpq
