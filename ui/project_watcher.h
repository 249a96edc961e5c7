#pragma once
/// \file project_watcher.h
/// Watches an open project for what other processes do to it: tpq run in a terminal, the
/// tasks of a Slurm job array on a shared filesystem. fileChanged() when the project file
/// (or one of its per-variant state files, on a filesystem without locks) was replaced or
/// changed (debounced: a burst of saves is one signal), and Slurm's queue asked with squeue (run as a QProcess, never
/// blocking the window) when the window asks, and every 15 s while polling is on (variants queued or running on the
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

    /// Watches `projectPath` (and its folder: a save renames a new file over it) and asks
    /// squeue once; "" stops watching.
    void watch(const QString& projectPath);
    /// squeue every 15 s (only when squeue answered before: no Slurm, no polling).
    void setPolling(bool on);
    /// Asks squeue now (unless it is being asked); queueChanged() follows.
    void queryQueue();
    /// The last answer (unknown before the first, or without Slurm).
    const SlurmQueue& queue() const { return m_queue; }
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
    /// `<project>.states/` (Project::stateFolder()).
    QString statesFolder() const;
    /// Times and sizes of the project file and its state files: a change to any changes it.
    QString signature() const;

    QFileSystemWatcher* m_fs;
    QTimer* m_debounce;
    QTimer* m_poll;
    QProcess* m_squeue = nullptr;
    QString m_path;
    QString m_seen;  // signature() when last looked at
    SlurmQueue m_queue;
    bool m_reachable = false;
};

}  // namespace tpq::ui
