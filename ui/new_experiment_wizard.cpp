#include "new_experiment_wizard.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDir>
#include <QDoubleSpinBox>
#include <QFile>
#include <QFileDialog>
#include <QFileInfo>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLabel>
#include <QLineEdit>
#include <QMessageBox>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QSpinBox>
#include <QVBoxLayout>
#include <QWizardPage>
#include <cmath>
#include <functional>

#include "data/csv_loader.h"
#include "data/folder_loader.h"
#include "models/architecture_estimate.h"
#include "panels/form_fields.h"
#include "translations.h"
#include "util/error.h"

namespace tpq::ui {

/// A page that is complete when its check returns no problem; the problem is shown in red.
class WizardPage : public QWizardPage {
public:
    WizardPage(const QString& title, const QString& subtitle, std::function<QString()> check)
        : m_check(std::move(check)) {
        setTitle(title);
        setSubTitle(subtitle);
        m_problem = new QLabel;
        m_problem->setStyleSheet("color: #b00000");
        m_problem->setWordWrap(true);
        m_body = new QVBoxLayout;
        auto* layout = new QVBoxLayout(this);
        layout->addLayout(m_body, 1);
        layout->addWidget(m_problem);
    }
    QVBoxLayout* body() const { return m_body; }
    bool isComplete() const override { return m_check().isEmpty(); }
    void recheck() {
        m_problem->setText(m_check());
        Q_EMIT completeChanged();
    }
    /// Re-checks whenever one of `widgets` changes.
    void watch(std::initializer_list<QObject*> widgets) {
        for (QObject* w : widgets) {
            if (auto* e = qobject_cast<QLineEdit*>(w))
                QObject::connect(e, &QLineEdit::textChanged, this, [this] { recheck(); });
            if (auto* c = qobject_cast<QComboBox*>(w))
                QObject::connect(c, &QComboBox::currentIndexChanged, this, [this] { recheck(); });
            if (auto* s = qobject_cast<QSpinBox*>(w))
                QObject::connect(s, &QSpinBox::valueChanged, this, [this] { recheck(); });
            if (auto* d = qobject_cast<QDoubleSpinBox*>(w))
                QObject::connect(d, &QDoubleSpinBox::valueChanged, this, [this] { recheck(); });
            if (auto* b = qobject_cast<QCheckBox*>(w))
                QObject::connect(b, &QCheckBox::toggled, this, [this] { recheck(); });
        }
    }

private:
    std::function<QString()> m_check;
    QLabel* m_problem;
    QVBoxLayout* m_body;
};

namespace {

/// The column names of a CSV/TSV header or of a JSON Lines file's first object; sets
/// `problem` when the file cannot be read that way.
QStringList fileColumns(const QString& path, const QString& kind, QString* problem) {
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly)) {
        *problem = QObject::tr("Cannot read %1.").arg(path);
        return {};
    }
    if (kind == "jsonl") {
        while (!file.atEnd()) {
            const QByteArray line = file.readLine(16 << 20).trimmed();
            if (line.isEmpty()) continue;
            QJsonParseError error;
            const QJsonDocument doc = QJsonDocument::fromJson(line, &error);
            if (!doc.isObject()) {
                *problem = QObject::tr("%1: the first line is not a JSON object (%2).").arg(path, error.errorString());
                return {};
            }
            return doc.object().keys();
        }
        *problem = QObject::tr("%1 is empty.").arg(path);
        return {};
    }
    // The header record (it may span lines inside quotes): parse a growing prefix.
    for (qint64 size = 64 << 10;; size *= 4) {
        file.seek(0);
        const QByteArray head = file.read(size);
        const bool whole = file.atEnd();
        const int end = whole ? int(head.size()) : int(head.lastIndexOf('\n'));
        try {
            const auto records =
                parseCsv(head.left(std::max(0, end)).toStdString(), kind == "tsv" ? '\t' : ',', path.toStdString());
            if (!records.empty()) {
                QStringList columns;
                for (const auto& f : records.front().fields) columns << QString::fromStdString(f).trimmed();
                return columns;
            }
        } catch (const std::exception& e) {
            if (whole || size > (64 << 20)) {
                *problem = QString::fromStdString(e.what());
                return {};
            }
            continue;
        }
        if (whole) break;
    }
    *problem = QObject::tr("%1 is empty.").arg(path);
    return {};
}

QWidget* withBrowse(QLineEdit* edit, const std::function<QString()>& ask) {
    auto* w = new QWidget;
    auto* l = new QHBoxLayout(w);
    l->setContentsMargins(0, 0, 0, 0);
    l->addWidget(edit, 1);
    auto* b = new QPushButton(QObject::tr("Browse..."));
    l->addWidget(b);
    QObject::connect(b, &QPushButton::clicked, edit, [edit, ask] {
        const QString path = ask();
        if (!path.isEmpty()) edit->setText(path);
    });
    return w;
}

}  // namespace

NewExperimentWizard::NewExperimentWizard(QWidget* parent) : QWizard(parent) {
    setWindowTitle(tr("New Experiment"));
    setOption(QWizard::NoBackButtonOnStartPage);
    const ExperimentConfig defaults = [] {
        ExperimentConfig c;  // the quickstart settings
        c.name = "quickstart";
        c.model.name = "bert-mini";
        c.training.batchSize = 32;
        c.training.learningRate = 1e-4;
        c.training.epochs = 2;
        return c;
    }();

    // 1. Dataset
    m_kind = new QComboBox;
    m_kind->setObjectName("datasetKind");
    FormFields::addDatasetKinds(m_kind);
    m_path = new QLineEdit;
    m_path->setObjectName("datasetPath");
    const auto placeholder = [this] {
        const QString kind = m_kind->currentData().toString();
        m_path->setPlaceholderText(kind == "spam_assassin"         ? tr("empty = the packaged SpamAssassin corpus")
                                   : FormFields::readsFolder(kind) ? tr("the folder to read")
                                                                   : tr("the file to read"));
    };
    m_textColumn = new QLineEdit("text");
    m_textColumn->setObjectName("textColumn");
    m_labelColumn = new QLineEdit("label");
    m_labelColumn->setObjectName("labelColumn");
    m_preview = new QPlainTextEdit;
    m_preview->setReadOnly(true);
    m_preview->setLineWrapMode(QPlainTextEdit::NoWrap);
    auto* dataPage =
        new WizardPage(tr("Dataset"), tr("Where the labelled texts come from."), [this] { return datasetProblem(); });
    auto* df = new QFormLayout;
    df->addRow(tr("Source:"), m_kind);
    df->addRow(tr("Path:"), withBrowse(m_path, [this] {
                   return FormFields::browseDataset(this, m_kind->currentData().toString());
               }));
    df->addRow(tr("Text column:"), m_textColumn);
    df->addRow(tr("Label column:"), m_labelColumn);
    FormFields::configKey(m_kind, "data.dataset");
    FormFields::configKey(m_path, "data.path");
    FormFields::configKey(m_textColumn, "data.text_column");
    FormFields::configKey(m_labelColumn, "data.label_column");
    dataPage->body()->addLayout(df);
    dataPage->body()->addWidget(new QLabel(tr("Preview:")));
    dataPage->body()->addWidget(m_preview, 1);
    dataPage->watch({m_kind, m_path, m_textColumn, m_labelColumn});
    placeholder();
    connect(m_kind, &QComboBox::currentIndexChanged, this, placeholder);
    connect(m_kind, &QComboBox::currentIndexChanged, this, &NewExperimentWizard::refreshPreview);
    connect(m_path, &QLineEdit::textChanged, this, &NewExperimentWizard::refreshPreview);
    addPage(dataPage);

    // 2. Tokenizer and splits
    m_tokenizer = new QComboBox;
    m_tokenizer->setObjectName("tokenizer");
    m_tokenizer->addItem(tr("WordPiece (bert-base-uncased vocabulary)"), "wordpiece");
    m_tokenizer->addItem(tr("Words (built from the training split)"), "word");
    m_maxLength = new QSpinBox;
    m_maxLength->setObjectName("maxLength");
    m_maxLength->setRange(8, 512);
    m_maxLength->setValue(defaults.maxLength);
    m_train = FormFields::fraction(defaults.data.trainRatio);
    m_validation = FormFields::fraction(defaults.data.validationRatio);
    m_test = FormFields::fraction(defaults.data.testRatio);
    auto* splitPage =
        new WizardPage(tr("Tokenizer and splits"), tr("How texts become tokens, and how the data is split."),
                       [this] { return splitProblem(); });
    auto* sf = new QFormLayout;
    sf->addRow(tr("Tokenizer:"), m_tokenizer);
    sf->addRow(tr("Max tokens per text:"), m_maxLength);
    sf->addRow(tr("Training fraction:"), m_train);
    sf->addRow(tr("Validation fraction:"), m_validation);
    sf->addRow(tr("Test fraction:"), m_test);
    FormFields::configKey(m_tokenizer, "tokenizer.type");
    FormFields::configKey(m_maxLength, "data.max_length");
    FormFields::configKey(m_train, "data.train_ratio");
    FormFields::configKey(m_validation, "data.val_ratio");
    FormFields::configKey(m_test, "data.test_ratio");
    splitPage->body()->addLayout(sf);
    splitPage->body()->addStretch();
    splitPage->watch({m_train, m_validation, m_test});
    addPage(splitPage);

    // 3. Model and training
    m_model = new QComboBox;
    m_model->setObjectName("model");
    FormFields::addModels(m_model);
    m_model->addItem(tr("Hugging Face model folder"), "folder");
    m_model->setCurrentIndex(m_model->findData(QString::fromStdString(defaults.model.name)));
    m_modelPath = new QLineEdit;
    m_modelPath->setObjectName("modelPath");
    m_modelPath->setPlaceholderText(tr("folder with config.json and model.safetensors"));
    m_epochs = new QSpinBox;
    m_epochs->setObjectName("epochs");
    m_epochs->setRange(1, 100);
    m_epochs->setValue(defaults.training.epochs);
    m_batch = new QSpinBox;
    m_batch->setObjectName("batchSize");
    m_batch->setRange(1, 1024);
    m_batch->setValue(defaults.training.batchSize);
    m_lr = new QDoubleSpinBox;
    m_lr->setObjectName("learningRate");
    m_lr->setDecimals(6);
    m_lr->setRange(1e-6, 1);
    m_lr->setSingleStep(1e-5);
    m_lr->setValue(defaults.training.learningRate);
    const auto sizeSpin = [](const char* name, int lo, int hi, int step, int value) {
        QSpinBox* s = FormFields::integer(lo, hi, step);
        s->setObjectName(name);
        s->setValue(value);
        return s;
    };
    m_dModel = sizeSpin("wizardDModel", 8, 4096, 8, 128);
    m_numHeads = sizeSpin("wizardHeads", 1, 64, 1, 4);
    m_layers = sizeSpin("wizardLayers", 1, 48, 1, 2);
    m_dFf = sizeSpin("wizardDFf", 8, 16384, 64, 256);
    m_pooling = new QComboBox;
    m_pooling->setObjectName("wizardPooling");
    m_pooling->addItem(tr("first token (cls)"), "cls");
    m_pooling->addItem(tr("mean over tokens"), "mean");
    m_pooling->addItem(tr("max over tokens"), "max");
    m_parameters = new QLabel;
    m_parameters->setObjectName("wizardParameters");
    m_parameters->setWordWrap(true);
    auto* modelPage = new WizardPage(tr("Model and training"), tr("The model to train (or fine-tune) as the baseline."),
                                     [this] { return modelProblem(); });
    auto* mf = new QFormLayout;
    mf->addRow(tr("Model:"), m_model);
    mf->addRow(tr("Width (d_model):"), m_dModel);
    mf->addRow(tr("Attention heads:"), m_numHeads);
    mf->addRow(tr("Layers:"), m_layers);
    mf->addRow(tr("Feed-forward width:"), m_dFf);
    mf->addRow(tr("Pooling:"), m_pooling);
    mf->addRow(m_parameters);
    mf->addRow(tr("Model folder:"), withBrowse(m_modelPath, [this] {
                   return QFileDialog::getExistingDirectory(this, tr("Hugging Face Model Folder"));
               }));
    mf->addRow(tr("Epochs:"), m_epochs);
    mf->addRow(tr("Batch size:"), m_batch);
    mf->addRow(tr("Learning rate:"), m_lr);
    const std::pair<QWidget*, const char*> modelKeys[] = {
        {m_model, "model.name"},         {m_dModel, "model.d_model"},   {m_numHeads, "model.num_heads"},
        {m_layers, "model.num_layers"},  {m_dFf, "model.d_ff"},         {m_pooling, "model.pooling"},
        {m_modelPath, "model.path"},     {m_epochs, "training.epochs"}, {m_batch, "training.batch_size"},
        {m_lr, "training.learning_rate"}};
    for (const auto& [field, key] : modelKeys) FormFields::configKey(field, key);
    modelPage->body()->addLayout(mf);
    modelPage->body()->addStretch();
    modelPage->watch({m_model, m_modelPath, m_dModel, m_numHeads});
    connect(m_model, &QComboBox::currentIndexChanged, this, &NewExperimentWizard::updateModelFields);
    for (QSpinBox* s : {m_dModel, m_numHeads, m_layers, m_dFf})
        connect(s, &QSpinBox::valueChanged, this, &NewExperimentWizard::refreshParameters);
    connect(m_tokenizer, &QComboBox::currentIndexChanged, this, &NewExperimentWizard::refreshParameters);
    addPage(modelPage);

    // 4. Variants
    m_unstructured = new QCheckBox(tr("Unstructured pruning, sparsities:"));
    m_unstructured->setObjectName("unstructured");
    m_sparsity = new QLineEdit("0.5");
    m_sparsity->setObjectName("sparsities");
    m_sparsity->setToolTip(
        tr("One sparsity, or several separated by commas for a sweep (one variant each), e.g. 0.3, 0.5, 0.7"));
    m_structured = new QCheckBox(tr("Structured pruning (1 fine-tuning epoch), heads removed:"));
    m_structured->setObjectName("structured");
    m_heads = FormFields::fraction(0.5);
    m_dynamic = new QCheckBox(tr("Dynamic int8 quantization"));
    m_dynamic->setObjectName("dynamic");
    m_static = new QCheckBox(tr("Static int8 quantization (calibrated)"));
    m_static->setObjectName("static");
    m_qat = new QCheckBox(tr("Quantization-aware training"));
    m_qat->setObjectName("qat");
    m_mixed = new QCheckBox(tr("Mixed precision (sensitivity analysis)"));
    m_mixed->setObjectName("mixed");
    m_combined = new QCheckBox(tr("Combined: structured pruning, then dynamic int8"));
    m_combined->setObjectName("combined");
    for (QCheckBox* c : {m_unstructured, m_structured, m_dynamic, m_combined}) c->setChecked(true);
    auto* variantPage = new WizardPage(tr("Variants"), tr("The compressed models to compare with the baseline."),
                                       [this] { return variantProblem(); });
    auto* grid = new QFormLayout;
    grid->addRow(m_unstructured, m_sparsity);
    grid->addRow(m_structured, m_heads);
    for (QCheckBox* c : {m_dynamic, m_static, m_qat, m_mixed, m_combined}) grid->addRow(c);
    const std::pair<QWidget*, const char*> variantKeys[] = {
        {m_unstructured, "variants: - {method: unstructured, sparsity: [0.3, 0.5]}"},
        {m_sparsity, "variants: - {method: unstructured, sparsity: [0.3, 0.5]}"},
        {m_structured, "variants: - {method: structured, heads: 0.5, fine_tune_epochs: 1}"},
        {m_heads, "variants: - {method: structured, heads: 0.5, fine_tune_epochs: 1}"},
        {m_dynamic, "variants: - {method: dynamic}"},
        {m_static, "variants: - {method: static}"},
        {m_qat, "variants: - {method: qat}"},
        {m_mixed, "variants: - {method: mixed}"},
        {m_combined, "variants: - {method: combined, pruning: structured, quantization: dynamic}"}};
    for (const auto& [field, entry] : variantKeys) FormFields::projectKey(field, entry);
    variantPage->body()->addLayout(grid);
    variantPage->body()->addStretch();
    variantPage->watch({m_sparsity, m_unstructured});
    addPage(variantPage);

    // 5. Summary
    m_name = new QLineEdit(QString::fromStdString(defaults.name));
    m_name->setObjectName("projectName");
    m_folder = new QLineEdit(QDir::current().filePath("experiments"));
    m_folder->setObjectName("projectFolder");
    m_summary = new QPlainTextEdit;
    m_summary->setReadOnly(true);
    m_start = new QCheckBox(tr("Start the experiment now"));
    m_start->setObjectName("startNow");
    m_start->setChecked(true);
    auto* summaryPage = new WizardPage(tr("Summary"), tr("The project file is written when you press Finish."),
                                       [this] { return summaryProblem(); });
    auto* pf = new QFormLayout;
    pf->addRow(tr("Project name:"), m_name);
    pf->addRow(tr("Folder:"),
               withBrowse(m_folder, [this] { return QFileDialog::getExistingDirectory(this, tr("Project Folder")); }));
    FormFields::projectKey(m_name, "name");
    FormFields::projectKey(m_folder, "results_dir: <name>/results, checkpoint_dir: <name>/checkpoints");
    summaryPage->body()->addLayout(pf);
    summaryPage->body()->addWidget(m_summary, 1);
    summaryPage->body()->addWidget(m_start);
    summaryPage->watch({m_name, m_folder});
    connect(m_name, &QLineEdit::textChanged, this, &NewExperimentWizard::refreshSummary);
    connect(m_folder, &QLineEdit::textChanged, this, &NewExperimentWizard::refreshSummary);
    addPage(summaryPage);
    connect(this, &QWizard::currentIdChanged, this, [this](int id) {
        if (auto* page = dynamic_cast<WizardPage*>(this->page(id))) page->recheck();
        refreshSummary();
    });
    refreshPreview();
    updateModelFields();  // now that every page exists (the count reads them all)
    resize(760, 600);
}

ExperimentConfig NewExperimentWizard::config() const {
    ExperimentConfig c;
    c.name = m_name->text().trimmed().toStdString();
    c.data.dataset = m_kind->currentData().toString().toStdString();
    // Absolute: the project may be opened from another working directory.
    c.data.path = m_path->text().trimmed().isEmpty()
                      ? std::string()
                      : QFileInfo(m_path->text().trimmed()).absoluteFilePath().toStdString();
    c.data.textColumn = m_textColumn->text().trimmed().toStdString();
    c.data.labelColumn = m_labelColumn->text().trimmed().toStdString();
    c.data.trainRatio = m_train->value();
    c.data.validationRatio = m_validation->value();
    c.data.testRatio = m_test->value();
    c.maxLength = m_maxLength->value();
    c.tokenizer.type = m_tokenizer->currentData().toString().toStdString();
    const QString model = m_model->currentData().toString();
    if (model == "folder") {
        c.model.path = QFileInfo(m_modelPath->text().trimmed()).absoluteFilePath().toStdString();
        c.model.name = "bert-base-uncased";  // the folder's config.json decides the architecture
    } else {
        c.model.name = model.toStdString();
    }
    if (model == "transformer") {
        c.model.dModel = m_dModel->value();
        c.model.numHeads = m_numHeads->value();
        c.model.numLayers = m_layers->value();
        c.model.dFf = m_dFf->value();
        c.model.pooling = m_pooling->currentData().toString().toStdString();
    }
    c.training.epochs = m_epochs->value();
    c.training.batchSize = m_batch->value();
    c.training.learningRate = m_lr->value();
    return c;
}

std::vector<VariantSpec> NewExperimentWizard::variants() const {
    std::vector<VariantSpec> out;
    VariantSpec baseline;
    baseline.method = Method::Baseline;
    out.push_back(baseline);
    if (m_unstructured->isChecked()) {
        for (double s : sparsities()) {  // a sweep: one variant per sparsity
            VariantSpec v;
            v.method = Method::Unstructured;
            v.sparsity = s;
            v.fineTuneEpochs = 0;
            out.push_back(v);
        }
    }
    if (m_structured->isChecked()) {
        VariantSpec v;
        v.method = Method::Structured;
        v.heads = m_heads->value();
        v.ffnSparsity = 0;
        v.fineTuneEpochs = 1;
        out.push_back(v);
    }
    for (auto [box, method] : {std::pair{m_dynamic, Method::Dynamic}, std::pair{m_static, Method::Static},
                               std::pair{m_qat, Method::Qat}, std::pair{m_mixed, Method::Mixed}}) {
        if (!box->isChecked()) continue;
        VariantSpec v;
        v.method = method;
        out.push_back(v);
    }
    if (m_combined->isChecked()) {
        VariantSpec v;
        v.method = Method::Combined;
        v.pruning = Method::Structured;
        v.heads = m_heads->value();
        v.ffnSparsity = 0;
        v.fineTuneEpochs = 1;
        v.quantization = Method::Dynamic;
        out.push_back(v);
    }
    return out;
}

QString NewExperimentWizard::projectPath() const {
    return QDir(m_folder->text().trimmed()).filePath(m_name->text().trimmed() + ".tpq.yaml");
}

bool NewExperimentWizard::startNow() const {
    return m_start->isChecked();
}

QString NewExperimentWizard::datasetProblem() const {
    const QString kind = m_kind->currentData().toString();
    const QString path = m_path->text().trimmed();
    if (kind != "spam_assassin" && path.isEmpty()) return tr("Choose the file or folder to read.");
    if (!path.isEmpty()) {
        const QFileInfo info(path);
        const bool wantsFolder = FormFields::readsFolder(kind);
        if (!info.exists()) return tr("%1 does not exist.").arg(path);
        if (wantsFolder && !info.isDir()) return tr("%1 is not a folder.").arg(path);
        if (!wantsFolder && !info.isFile()) return tr("%1 is not a file.").arg(path);
    }
    if (FormFields::hasColumns(kind) &&
        (m_textColumn->text().trimmed().isEmpty() || m_labelColumn->text().trimmed().isEmpty()))
        return tr("Name the text and the label column.");
    if (FormFields::hasColumns(kind)) {
        // The columns against the file itself, before Next, matched as the loaders match
        // them (CSV/TSV: a name in any case or a 0-based index; JSON Lines: the exact key).
        QString problem;
        const QStringList columns = cachedColumns(path, kind, &problem);
        if (!problem.isEmpty()) return problem;
        std::vector<std::string> header;
        for (const QString& c : columns) header.push_back(c.toStdString());
        for (const QString& column : {m_textColumn->text().trimmed(), m_labelColumn->text().trimmed()}) {
            const bool found =
                kind == "jsonl" ? columns.contains(column) : findCsvColumn(column.toStdString(), header) >= 0;
            if (!found) return tr("%1 has no column '%2'; its columns are: %3.").arg(path, column, columns.join(", "));
        }
    }
    if (kind == "imdb" && !hasImdbLayout(path.toStdString()))  // as the loader reads it
        return tr("%1 does not have the aclImdb layout: expected train/pos, train/neg (and test/pos, test/neg) "
                  "sub-folders. Unpack aclImdb_v1.tar.gz and choose its aclImdb folder.")
            .arg(path);
    if (kind == "folder") {
        const int classes = int(QDir(path).entryList(QDir::Dirs | QDir::NoDotAndDotDot).size());
        if (classes < 2)
            return tr("%1 has %n sub-folder(s): a folder per class needs at least two (one per label).", "", classes)
                .arg(path);
    }
    return {};
}

QStringList NewExperimentWizard::cachedColumns(const QString& path, const QString& kind, QString* problem) const {
    // Pages check themselves on every keystroke: the file is read again only when it changed.
    const QFileInfo info(path);
    ColumnsCache& c = m_columnsCache;
    if (c.path != path || c.kind != kind || c.modified != info.lastModified() || c.size != info.size()) {
        c = ColumnsCache{path, kind, info.lastModified(), info.size(), {}, {}};
        c.columns = fileColumns(path, kind, &c.problem);
    }
    *problem = c.problem;
    return c.columns;
}

std::vector<double> NewExperimentWizard::sparsities() const {
    std::vector<double> out;
    for (const QString& part : m_sparsity->text().split(',', Qt::SkipEmptyParts)) {
        bool ok = false;
        const double v = part.trimmed().toDouble(&ok);
        if (!ok || v < 0 || v >= 1) return {};
        out.push_back(v);
    }
    return out;
}

QString NewExperimentWizard::variantProblem() const {
    if (m_unstructured->isChecked() && sparsities().empty())
        return tr("Sparsities: numbers from 0 to 0.99 separated by commas (e.g. 0.3, 0.5), not '%1'.")
            .arg(m_sparsity->text());
    return {};
}

void NewExperimentWizard::updateModelFields() {
    m_modelPath->setEnabled(m_model->currentData().toString() == "folder");
    for (QWidget* w : std::initializer_list<QWidget*>{m_dModel, m_numHeads, m_layers, m_dFf, m_pooling})
        w->setEnabled(m_model->currentData().toString() == "transformer");
    refreshParameters();
}

void NewExperimentWizard::refreshParameters() {
    const ExperimentConfig c = config();
    if (m_model->currentData().toString() == "folder") {
        m_parameters->setText(tr("The folder's config.json decides the size."));
        return;
    }
    const bool words = c.tokenizer.type == "word";
    const int64_t vocab = FormFields::estimateVocabulary(c);
    try {
        const int64_t n = estimateParameters(c.model, vocab);
        m_parameters->setText(tr("%1 parameters, %2 MB in fp32%3")
                                  .arg(QLocale().toString(qlonglong(n)))
                                  .arg(double(n) * 4 / 1e6, 0, 'f', 2)
                                  .arg(words ? tr(" (with the largest word vocabulary, %1 tokens; the real one is "
                                                  "built from the training split)")
                                                   .arg(vocab)
                                             : QString()));
    } catch (const std::exception& e) {
        m_parameters->setText(QString::fromStdString(e.what()));
    }
}

QString NewExperimentWizard::parameterText() const {
    return m_parameters->text();
}

void NewExperimentWizard::reject() {
    if (QMessageBox::question(this, tr("Discard the new experiment?"),
                              tr("The settings of this new experiment are not saved. Discard them?"),
                              QMessageBox::Discard | QMessageBox::Cancel, QMessageBox::Cancel) != QMessageBox::Discard)
        return;
    QWizard::reject();
}

QString NewExperimentWizard::splitProblem() const {
    const double sum = m_train->value() + m_validation->value() + m_test->value();
    if (std::abs(sum - 1.0) > 1e-6) return tr("The three fractions must add up to 1 (now %1).").arg(sum, 0, 'f', 2);
    if (m_train->value() <= 0) return tr("The training fraction must be above 0.");
    if (m_test->value() <= 0) return tr("The test fraction must be above 0: the variants are compared on it.");
    return {};
}

QString NewExperimentWizard::modelProblem() const {
    if (m_model->currentData().toString() == "transformer" && m_dModel->value() % m_numHeads->value() != 0)
        return tr("The width (%1) must be a multiple of the attention heads (%2).")
            .arg(m_dModel->value())
            .arg(m_numHeads->value());
    if (m_model->currentData().toString() != "folder") return {};
    const QString dir = m_modelPath->text().trimmed();
    if (dir.isEmpty()) return tr("Choose the model folder.");
    if (!QFileInfo(QDir(dir).filePath("config.json")).isFile())
        return tr("%1 has no config.json: choose a Hugging Face model folder.").arg(dir);
    if (!QFileInfo(QDir(dir).filePath("model.safetensors")).isFile() &&
        !QFileInfo(QDir(dir).filePath("pytorch_model.bin")).isFile())
        return tr("%1 has no weights (model.safetensors).").arg(dir);
    return {};
}

QString NewExperimentWizard::summaryProblem() const {
    const QString name = m_name->text().trimmed();
    if (name.isEmpty()) return tr("Name the project.");
    if (name.contains('/') || name.contains('\\')) return tr("The name cannot contain slashes.");
    if (m_folder->text().trimmed().isEmpty()) return tr("Choose a folder for the project.");
    if (QFileInfo::exists(projectPath())) return tr("%1 exists already: choose another name.").arg(projectPath());
    const auto problems = config().validate();
    if (!problems.empty()) return QString::fromStdString(problems.front());
    return {};
}

void NewExperimentWizard::refreshPreview() {
    const QString path = m_path->text().trimmed();
    const QString kind = m_kind->currentData().toString();
    if (path.isEmpty()) {
        m_preview->setPlainText(
            kind == "spam_assassin"
                ? tr("The SpamAssassin public corpus (ham and spam mails), installed by scripts/setup.")
                : QString());
        return;
    }
    QFile file(path);
    if (QFileInfo(path).isDir()) {
        const QStringList entries = QDir(path).entryList(QDir::Dirs | QDir::Files | QDir::NoDotAndDotDot);
        m_preview->setPlainText(tr("Folder with %n entries:", "", int(entries.size())) + "\n" +
                                entries.mid(0, 20).join('\n'));
        return;
    }
    if (!file.open(QIODevice::ReadOnly)) {
        m_preview->setPlainText(tr("Cannot read %1.").arg(path));
        return;
    }
    QStringList lines;
    while (!file.atEnd() && lines.size() < 12) lines << QString::fromUtf8(file.readLine(2000)).trimmed();
    m_preview->setPlainText(lines.join('\n'));
}

void NewExperimentWizard::refreshSummary() {
    const ExperimentConfig c = config();
    QStringList lines;
    lines << tr("Project file: %1").arg(projectPath());
    lines << tr("Data: %1 %2").arg(m_kind->currentText(), QString::fromStdString(c.data.path));
    if (FormFields::hasColumns(m_kind->currentData().toString()))
        lines << tr("Columns: text from '%1', labels from '%2'")
                     .arg(m_textColumn->text().trimmed(), m_labelColumn->text().trimmed());
    lines << tr("Splits: %1% training, %2% validation, %3% test")
                 .arg(100 * c.data.trainRatio, 0, 'g', 3)
                 .arg(100 * c.data.validationRatio, 0, 'g', 3)
                 .arg(100 * c.data.testRatio, 0, 'g', 3);
    lines << tr("Tokenizer: %1, at most %2 tokens per text").arg(m_tokenizer->currentText()).arg(c.maxLength);
    lines << tr("Model: %1, %2 epochs, batch %3, learning rate %4")
                 .arg(c.model.path.empty() ? m_model->currentText() : QString::fromStdString(c.model.path))
                 .arg(c.training.epochs)
                 .arg(c.training.batchSize)
                 .arg(c.training.learningRate);
    if (c.model.name == "transformer" && c.model.path.empty())
        lines << tr("Size: d_model %1, %2 heads, %3 layers, d_ff %4, %5 pooling; %6")
                     .arg(c.model.dModel)
                     .arg(c.model.numHeads)
                     .arg(c.model.numLayers)
                     .arg(c.model.dFf)
                     .arg(QString::fromStdString(c.model.pooling))
                     .arg(m_parameters->text());
    lines << tr("Results in %1, models in %2")
                 .arg(QDir(m_folder->text().trimmed()).filePath(m_name->text().trimmed() + "/results"),
                      QDir(m_folder->text().trimmed()).filePath(m_name->text().trimmed() + "/checkpoints"));
    lines << tr("Variants:");
    for (const auto& v : variants()) lines << "  - " + describeVariant(v);
    m_summary->setPlainText(lines.join('\n'));
}

QString NewExperimentWizard::createProject() const {
    const QString path = projectPath();
    if (!QDir().mkpath(QFileInfo(path).absolutePath()))
        throw Error(tr("cannot create the folder %1").arg(QFileInfo(path).absolutePath()).toStdString());
    ExperimentConfig c = config();
    // Each project its own folders: two projects in one folder never share runs.
    const QString name = m_name->text().trimmed();
    c.output.resultsDir = (name + "/results").toStdString();
    c.output.checkpointDir = (name + "/checkpoints").toStdString();
    Project project = Project::create(path.toStdString(), c, variants());
    project.save();
    return QFileInfo(path).absoluteFilePath();
}

}  // namespace tpq::ui
