#pragma once
/// \file project_watcher.h
/// Watches an open project for what other processes do to it: tpq run in a terminal, the
/// tasks of a Slurm job array on a shared filesystem. fileChanged() when the project file
/// (or one of its per-variant state files, on a filesystem without locks) was replaced or
/// changed (debounced: a burst of saves is one signal; the files' times and sizes are also
/// compared every 5 s, as inotify misses other machines' writes on NFS), and Slurm's queue
/// asked with squeue (a QProcess, never blocking the window) after every change, when the
/// window asks, and every 15 s while polling is on (variants queued or running on the
/// cluster).
///
///     connect(watcher, &ProjectWatcher::fileChanged, ...);   // reload the runs
///     connect(watcher, &ProjectWatcher::queueChanged, ...);  // recompute the states
///     watcher->watch(project.path());

#include <QObject>
#include <QString>

#include "experiment/slurm_submit.h"

class QFileSystemWatcher;
class QProcess;
class QTimer;

namespace tpq::ui {

class ProjectWatcher : public QObject {
    Q_OBJECT

public:
    explicit ProjectWatcher(QObject* parent = nullptr);
    ~ProjectWatcher() override;

    /// Watches `projectPath` (and its folder: a save renames a new file over it) and the
    /// project's `statesFolder` (Project::stateFolder()), and asks squeue once; "" stops
    /// watching.
    void watch(const QString& projectPath, const QString& statesFolder = {});
    /// squeue every 15 s (not where squeue cannot be started: no Slurm, no polling).
    void setPolling(bool on);
    /// Asks squeue now (unless it is being asked); queueChanged() follows.
    void queryQueue();
    /// The last answer, unknown (every job's fate open) before the first, without Slurm,
    /// and from a file change until squeue has answered again (so that a task recorded
    /// running since the last answer is not judged failed on it).
    SlurmQueue queue() const { return m_queueFresh ? m_queue : SlurmQueue(); }
    /// Whether squeue answered the last time it was asked.
    bool slurmReachable() const { return m_reachable; }

Q_SIGNALS:
    void fileChanged();
    void queueChanged();

private:
    void onPathChanged();
    void checkFile();
    void onQueueFinished();
    void watchFiles();
    /// Times and sizes of the project file and its state files: a change to any changes it.
    QString signature() const;

    QFileSystemWatcher* m_fs;
    QTimer* m_debounce;
    QTimer* m_poll;
    QTimer* m_scan;
    QProcess* m_squeue = nullptr;
    QString m_path;
    QString m_states;  // the project's state files' folder
    QString m_seen;    // signature() when last looked at
    SlurmQueue m_queue;
    bool m_queueFresh = false;  // m_queue answered after the files last changed
    bool m_reachable = false;
    bool m_noSlurm = false;  // squeue could not be started
};

}  // namespace tpq::ui
