#pragma once
// Helpers of the GUI tests: answering the modal dialogs a window opens (they would block
// the test), and waiting for a window's job to end.

#include <QAbstractButton>
#include <QApplication>
#include <QElapsedTimer>
#include <QFileDialog>
#include <QLineEdit>
#include <QMessageBox>
#include <QPointer>
#include <QSignalSpy>
#include <QTimer>
#include <algorithm>

#include "main_window.h"

namespace tpqtest {

/// Answers every modal dialog that opens: message boxes with `answer`, file dialogs with
/// `file` (or Cancel when empty). Keeps the message boxes' texts.
class DialogAnswerer {
public:
    explicit DialogAnswerer(QMessageBox::StandardButton answer, QString file = {})
        : m_answer(answer), m_file(std::move(file)) {
        QObject::connect(&m_timer, &QTimer::timeout, [this] {
            QWidget* modal = QApplication::activeModalWidget();
            if (auto* box = qobject_cast<QMessageBox*>(modal)) {
                texts << box->text();
                if (QAbstractButton* b = box->button(m_answer))
                    b->click();  // as the user does
                else
                    box->done(m_answer);
            } else if (auto* dialog = qobject_cast<QFileDialog*>(modal); dialog && dialog != m_lastFileDialog) {
                m_lastFileDialog = dialog;
                ++fileDialogs;
                if (m_file.isEmpty()) {
                    QMetaObject::invokeMethod(dialog, "reject", Qt::QueuedConnection);
                } else {
                    dialog->selectFile(m_file);
                    if (auto* name = dialog->findChild<QLineEdit*>("fileNameEdit")) name->setText(m_file);  // as typed
                    // Queued: accepting may ask (a message box) in a loop of its own.
                    QMetaObject::invokeMethod(dialog, "accept", Qt::QueuedConnection);
                }
            }
        });
        m_timer.start(30);
    }
    QStringList texts;
    int fileDialogs = 0;

private:
    QMessageBox::StandardButton m_answer;
    QString m_file;
    QPointer<QFileDialog> m_lastFileDialog;
    QTimer m_timer;
};

/// The GUI thread's latency: a 5 ms timer on the event loop, and the longest gap between
/// two of its ticks (a stall of the thread shows as a long gap).
class LatencyProbe {
public:
    LatencyProbe() {
        QObject::connect(&m_timer, &QTimer::timeout, [this] {
            const qint64 now = m_clock.elapsed();
            if (m_last >= 0) m_worstMs = std::max(m_worstMs, now - m_last);
            m_last = now;
        });
    }
    void start() {
        m_clock.start();
        m_timer.start(5);
    }
    void stop() { m_timer.stop(); }
    qint64 worstMs() const { return m_worstMs; }

private:
    QElapsedTimer m_clock;
    QTimer m_timer;
    qint64 m_last = -1, m_worstMs = 0;
};

/// Waits for the window's job to end; its outcome, or one saying it timed out.
inline tpq::ui::JobOutcome waitForJob(tpq::ui::MainWindow& window, int timeoutMs) {
    QSignalSpy spy(&window, &tpq::ui::MainWindow::jobFinished);
    if (!spy.wait(timeoutMs))
        return tpq::ui::JobOutcome{"timeout", false, false, "no jobFinished within the timeout", 0};
    return spy.takeFirst().at(0).value<tpq::ui::JobOutcome>();
}

}  // namespace tpqtest
