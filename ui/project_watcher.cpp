#include "project_watcher.h"

#include <QDir>
#include <QFileInfo>
#include <QFileSystemWatcher>
#include <QProcess>
#include <QTimer>

namespace tpq::ui {

ProjectWatcher::ProjectWatcher(QObject* parent)
    : QObject(parent),
      m_fs(new QFileSystemWatcher(this)),
      m_debounce(new QTimer(this)),
      m_poll(new QTimer(this)),
      m_scan(new QTimer(this)) {
    m_debounce->setSingleShot(true);
    m_debounce->setInterval(400);
    m_poll->setInterval(15000);
    // inotify hears only this machine's writes: on NFS or Lustre the tasks on other nodes
    // change the files unheard, so the times and sizes are also compared every 5 s.
    m_scan->setInterval(5000);
    connect(m_scan, &QTimer::timeout, this, &ProjectWatcher::checkFile);
    connect(m_fs, &QFileSystemWatcher::fileChanged, this, &ProjectWatcher::onPathChanged);
    connect(m_fs, &QFileSystemWatcher::directoryChanged, this, &ProjectWatcher::onPathChanged);
    connect(m_debounce, &QTimer::timeout, this, &ProjectWatcher::checkFile);
    connect(m_poll, &QTimer::timeout, this, &ProjectWatcher::queryQueue);
}

ProjectWatcher::~ProjectWatcher() {
    if (m_squeue) {
        m_squeue->disconnect(this);
        m_squeue->kill();
        m_squeue->waitForFinished(1000);
    }
}

void ProjectWatcher::watch(const QString& projectPath, const QString& statesFolder) {
    if (!m_fs->files().isEmpty()) m_fs->removePaths(m_fs->files());
    if (!m_fs->directories().isEmpty()) m_fs->removePaths(m_fs->directories());
    m_debounce->stop();
    m_poll->stop();
    m_scan->stop();
    m_path = projectPath.isEmpty() ? QString() : QFileInfo(projectPath).absoluteFilePath();
    m_states = statesFolder;
    m_queue = SlurmQueue();
    m_queueFresh = false;
    if (m_path.isEmpty()) return;
    m_scan->start();
    m_seen = signature();
    m_fs->addPath(QFileInfo(m_path).absolutePath());
    watchFiles();
    queryQueue();
}

void ProjectWatcher::watchFiles() {
    // A rename over a watched file drops it from the watcher; the states folder appears
    // with the first state file: (re)add whatever exists.
    const QStringList files = m_fs->files(), dirs = m_fs->directories();
    if (QFileInfo::exists(m_path) && !files.contains(m_path)) m_fs->addPath(m_path);
    if (!m_states.isEmpty() && QFileInfo(m_states).isDir() && !dirs.contains(m_states)) m_fs->addPath(m_states);
}

QString ProjectWatcher::signature() const {
    // The project file, and the per-variant state files a filesystem without locks gets.
    QString sig;
    const QFileInfo info(m_path);
    sig += QString::number(info.lastModified().toMSecsSinceEpoch()) + ":" + QString::number(info.size());
    if (m_states.isEmpty()) return sig;
    for (const QFileInfo& f : QDir(m_states).entryInfoList({"*.yaml"}, QDir::Files, QDir::Name))
        sig += "|" + f.fileName() + ":" + QString::number(f.lastModified().toMSecsSinceEpoch()) + ":" +
               QString::number(f.size());
    return sig;
}

void ProjectWatcher::setPolling(bool on) {
    if (on && !m_noSlurm && !m_path.isEmpty()) {
        if (!m_poll->isActive()) m_poll->start();
    } else {
        m_poll->stop();
    }
}

void ProjectWatcher::onPathChanged() {
    // A save is a write and a rename: one check after the burst. Not restarted by later
    // events, so a busy folder cannot put the check off.
    if (!m_debounce->isActive()) m_debounce->start();
}

void ProjectWatcher::checkFile() {
    if (m_path.isEmpty()) return;
    watchFiles();
    const QString now = signature();
    if (!QFileInfo::exists(m_path) || now == m_seen) return;
    m_seen = now;
    // The last squeue answer is older than what the file now says (a task that just
    // started is not in it): no state is judged on it until squeue has been asked again.
    m_queueFresh = false;
    Q_EMIT fileChanged();
    if (!m_noSlurm) queryQueue();
}

void ProjectWatcher::queryQueue() {
    if (m_squeue || m_path.isEmpty()) return;
    const std::vector<std::string> command = SlurmQueue::command();
    QStringList args;
    for (size_t i = 1; i < command.size(); ++i) args << QString::fromStdString(command[i]);
    m_squeue = new QProcess(this);
    m_squeue->setProcessChannelMode(QProcess::SeparateChannels);
    connect(m_squeue, &QProcess::finished, this, &ProjectWatcher::onQueueFinished);
    connect(m_squeue, &QProcess::errorOccurred, this, [this](QProcess::ProcessError e) {
        if (e == QProcess::FailedToStart) onQueueFinished();  // no squeue here: no Slurm
    });
    m_squeue->start(QString::fromStdString(command.front()), args);
    QProcess* asked = m_squeue;
    QTimer::singleShot(20000, asked, [asked] { asked->kill(); });  // a controller that does not answer
}

void ProjectWatcher::onQueueFinished() {
    if (!m_squeue) return;
    QProcess* p = m_squeue;
    m_squeue = nullptr;
    const bool answered =
        p->error() != QProcess::FailedToStart && p->exitStatus() == QProcess::NormalExit && p->exitCode() == 0;
    const std::string output = answered ? p->readAllStandardOutput().toStdString() : std::string();
    p->deleteLater();
    m_reachable = answered;
    // No squeue on this machine: nothing to poll. A slow or failing controller is asked
    // again on the next poll.
    m_noSlurm = p->error() == QProcess::FailedToStart;
    if (m_noSlurm) m_poll->stop();
    m_queue = SlurmQueue::fromOutput(output, answered);
    m_queueFresh = true;
    Q_EMIT queueChanged();
}

}  // namespace tpq::ui
