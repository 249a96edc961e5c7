<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="zh_CN">
<context>
    <name>FormFields</name>
    <message>
        <location filename="../ui/panels/form_fields.cpp" line="16"/>
        <source>SpamAssassin (built in)</source>
        <translation>SpamAssassin（内置）</translation>
    </message>
    <message>
        <location filename="../ui/panels/form_fields.cpp" line="17"/>
        <source>CSV file</source>
        <translation>CSV 文件</translation>
    </message>
    <message>
        <location filename="../ui/panels/form_fields.cpp" line="18"/>
        <source>TSV file</source>
        <translation>TSV 文件</translation>
    </message>
    <message>
        <location filename="../ui/panels/form_fields.cpp" line="19"/>
        <source>JSON Lines file</source>
        <translation>JSON Lines 文件</translation>
    </message>
    <message>
        <location filename="../ui/panels/form_fields.cpp" line="20"/>
        <source>Folder (one subfolder per class)</source>
        <translation>文件夹（每个类别一个子文件夹）</translation>
    </message>
    <message>
        <location filename="../ui/panels/form_fields.cpp" line="21"/>
        <source>aclImdb folder</source>
        <translation>aclImdb 文件夹</translation>
    </message>
    <message>
        <location filename="../ui/panels/form_fields.cpp" line="34"/>
        <source>Dataset Folder</source>
        <translation>数据集文件夹</translation>
    </message>
    <message>
        <location filename="../ui/panels/form_fields.cpp" line="35"/>
        <source>Dataset File</source>
        <translation>数据集文件</translation>
    </message>
    <message>
        <location filename="../ui/panels/form_fields.cpp" line="36"/>
        <source>Data files (*.csv *.tsv *.jsonl *.txt);;All files (*)</source>
        <translation>数据文件 (*.csv *.tsv *.jsonl *.txt);;所有文件 (*)</translation>
    </message>
    <message>
        <location filename="../ui/panels/form_fields.cpp" line="40"/>
        <source>Custom Transformer (from scratch)</source>
        <translation>自定义 Transformer（从头训练）</translation>
    </message>
    <message>
        <location filename="../ui/panels/form_fields.cpp" line="76"/>
        <source>Config key: %1</source>
        <translation>配置键：%1</translation>
    </message>
    <message>
        <location filename="../ui/panels/form_fields.cpp" line="80"/>
        <source>Project file: %1</source>
        <translation>项目文件：%1</translation>
    </message>
</context>
<context>
    <name>Names</name>
    <message>
        <location filename="../ui/translations.cpp" line="55"/>
        <source>baseline</source>
        <translation>基线</translation>
    </message>
    <message>
        <location filename="../ui/translations.cpp" line="57"/>
        <source>unstructured pruning</source>
        <translation>非结构化剪枝</translation>
    </message>
    <message>
        <location filename="../ui/translations.cpp" line="59"/>
        <source>structured pruning</source>
        <translation>结构化剪枝</translation>
    </message>
    <message>
        <location filename="../ui/translations.cpp" line="61"/>
        <source>progressive pruning</source>
        <translation>渐进式剪枝</translation>
    </message>
    <message>
        <location filename="../ui/translations.cpp" line="63"/>
        <source>dynamic int8</source>
        <translation>动态 int8 量化</translation>
    </message>
    <message>
        <location filename="../ui/translations.cpp" line="65"/>
        <source>static int8</source>
        <translation>静态 int8 量化</translation>
    </message>
    <message>
        <location filename="../ui/translations.cpp" line="67"/>
        <source>quantization-aware training</source>
        <translation>量化感知训练</translation>
    </message>
    <message>
        <location filename="../ui/translations.cpp" line="69"/>
        <source>mixed precision</source>
        <translation>混合精度</translation>
    </message>
    <message>
        <location filename="../ui/translations.cpp" line="71"/>
        <source>pruning + quantization</source>
        <translation>剪枝 + 量化</translation>
    </message>
    <message>
        <location filename="../ui/translations.cpp" line="84"/>
        <source>, no fine-tuning</source>
        <translation>，不微调</translation>
    </message>
    <message numerus="yes">
        <location filename="../ui/translations.cpp" line="85"/>
        <source>, %n fine-tuning epoch(s)</source>
        <translation>
            <numerusform>，微调 %n 轮</numerusform>
        </translation>
    </message>
    <message>
        <location filename="../ui/translations.cpp" line="89"/>
        <source>unstructured pruning to %1 sparsity</source>
        <translation>非结构化剪枝至 %1 稀疏度</translation>
    </message>
    <message>
        <location filename="../ui/translations.cpp" line="95"/>
        <source>, %1 of the heads removed</source>
        <translation>，移除 %1 的注意力头</translation>
    </message>
    <message>
        <location filename="../ui/translations.cpp" line="97"/>
        <source>, %1 of the FFN neurons removed</source>
        <translation>，移除 %1 的 FFN 神经元</translation>
    </message>
    <message>
        <location filename="../ui/translations.cpp" line="104"/>
        <source>baseline (trained)</source>
        <translation>基线（训练）</translation>
    </message>
    <message>
        <location filename="../ui/translations.cpp" line="109"/>
        <source>static int8, %1 observer</source>
        <translation>静态 int8 量化，%1 观察器</translation>
    </message>
    <message>
        <location filename="../ui/translations.cpp" line="112"/>
        <source>%1, then %2</source>
        <translation>%1，然后%2</translation>
    </message>
</context>
<context>
    <name>Plots</name>
    <message>
        <location filename="../ui/plots/comparison_plots.cpp" line="201"/>
        <source>Training curves: </source>
        <translation>训练曲线： </translation>
    </message>
    <message>
        <location filename="../ui/plots/comparison_plots.cpp" line="206"/>
        <source>training loss (per step)</source>
        <translation>训练损失（每步）</translation>
    </message>
    <message>
        <location filename="../ui/plots/comparison_plots.cpp" line="210"/>
        <source>validation accuracy (per epoch)</source>
        <translation>验证准确率（每轮）</translation>
    </message>
    <message>
        <location filename="../ui/plots/comparison_plots.cpp" line="214"/>
        <source>optimizer step</source>
        <translation>优化器步数</translation>
    </message>
    <message>
        <location filename="../ui/plots/comparison_plots.cpp" line="215"/>
        <source>loss (cross-entropy)</source>
        <translation>损失（交叉熵）</translation>
    </message>
    <message>
        <location filename="../ui/plots/comparison_plots.cpp" line="217"/>
        <source>validation accuracy (%)</source>
        <translation>验证准确率（%）</translation>
    </message>
    <message>
        <location filename="../ui/plots/comparison_plots.cpp" line="232"/>
        <source>Test accuracy</source>
        <translation>测试准确率</translation>
    </message>
    <message>
        <location filename="../ui/plots/comparison_plots.cpp" line="232"/>
        <source>accuracy (%)</source>
        <translation>准确率（%）</translation>
    </message>
    <message>
        <location filename="../ui/plots/comparison_plots.cpp" line="233"/>
        <source>Test F1</source>
        <translation>测试 F1</translation>
    </message>
    <message>
        <location filename="../ui/plots/comparison_plots.cpp" line="233"/>
        <source>F1 score</source>
        <translation>F1 分数</translation>
    </message>
    <message>
        <location filename="../ui/plots/comparison_plots.cpp" line="234"/>
        <source>Model size on disk</source>
        <translation>模型磁盘大小</translation>
    </message>
    <message>
        <location filename="../ui/plots/comparison_plots.cpp" line="234"/>
        <source>size (MB)</source>
        <translation>大小（MB）</translation>
    </message>
    <message>
        <location filename="../ui/plots/comparison_plots.cpp" line="236"/>
        <source>Inference latency</source>
        <translation>推理延迟</translation>
    </message>
    <message>
        <location filename="../ui/plots/comparison_plots.cpp" line="236"/>
        <source>p50 latency (ms)</source>
        <translation>p50 延迟（ms）</translation>
    </message>
    <message>
        <location filename="../ui/plots/comparison_plots.cpp" line="280"/>
        <location filename="../ui/plots/comparison_plots.cpp" line="526"/>
        <source>run</source>
        <translation>运行</translation>
    </message>
    <message>
        <location filename="../ui/plots/comparison_plots.cpp" line="312"/>
        <source>Sparsity vs accuracy</source>
        <translation>稀疏度与准确率</translation>
    </message>
    <message>
        <location filename="../ui/plots/comparison_plots.cpp" line="324"/>
        <source>sparsity of the linear layers (% of weights zero)</source>
        <translation>线性层稀疏度（零权重占比 %）</translation>
    </message>
    <message>
        <location filename="../ui/plots/comparison_plots.cpp" line="325"/>
        <location filename="../ui/plots/comparison_plots.cpp" line="387"/>
        <source>test accuracy (%)</source>
        <translation>测试准确率（%）</translation>
    </message>
    <message>
        <location filename="../ui/plots/comparison_plots.cpp" line="354"/>
        <source>Accuracy vs latency (Pareto front marked)</source>
        <translation>准确率与延迟（已标出帕累托前沿）</translation>
    </message>
    <message>
        <location filename="../ui/plots/comparison_plots.cpp" line="369"/>
        <source>runs</source>
        <translation>运行</translation>
    </message>
    <message>
        <location filename="../ui/plots/comparison_plots.cpp" line="375"/>
        <source>Pareto front (no run both faster and more accurate)</source>
        <translation>帕累托前沿（没有其他运行既更快又更准确）</translation>
    </message>
    <message>
        <location filename="../ui/plots/comparison_plots.cpp" line="386"/>
        <source>p50 latency at batch %1 (ms)</source>
        <translation>批大小 %1 时的 p50 延迟（ms）</translation>
    </message>
    <message>
        <location filename="../ui/plots/comparison_plots.cpp" line="518"/>
        <source>Per-layer sparsity</source>
        <translation>逐层稀疏度</translation>
    </message>
    <message>
        <location filename="../ui/plots/comparison_plots.cpp" line="526"/>
        <source>linear layer</source>
        <translation>线性层</translation>
    </message>
    <message>
        <location filename="../ui/plots/comparison_plots.cpp" line="527"/>
        <source>fraction of weights zero</source>
        <translation>零权重比例</translation>
    </message>
    <message>
        <location filename="../ui/plots/comparison_plots.cpp" line="548"/>
        <source>layer %1</source>
        <translation>层 %1</translation>
    </message>
    <message>
        <location filename="../ui/plots/comparison_plots.cpp" line="551"/>
        <source>Attention head importance: </source>
        <translation>注意力头重要性： </translation>
    </message>
    <message>
        <location filename="../ui/plots/comparison_plots.cpp" line="552"/>
        <source>  (× = removed)</source>
        <translation>  （× = 已移除）</translation>
    </message>
    <message>
        <location filename="../ui/plots/comparison_plots.cpp" line="559"/>
        <source>attention head</source>
        <translation>注意力头</translation>
    </message>
    <message>
        <location filename="../ui/plots/comparison_plots.cpp" line="559"/>
        <source>encoder layer</source>
        <translation>编码器层</translation>
    </message>
    <message>
        <location filename="../ui/plots/comparison_plots.cpp" line="560"/>
        <source>importance (grey = not scored)</source>
        <translation>重要性（灰色 = 未评分）</translation>
    </message>
    <message>
        <location filename="../ui/plots/comparison_plots.cpp" line="304"/>
        <source>baseline</source>
        <translation>基线</translation>
    </message>
    <message>
        <location filename="../ui/plots/panel_plots.cpp" line="78"/>
        <source>value</source>
        <translation>数值</translation>
    </message>
    <message>
        <location filename="../ui/plots/panel_plots.cpp" line="80"/>
        <source>none</source>
        <translation>无</translation>
    </message>
    <message>
        <location filename="../ui/plots/panel_plots.cpp" line="192"/>
        <source>drag: pan · wheel: zoom · double-click: reset</source>
        <translation>拖动：平移 · 滚轮：缩放 · 双击：复原</translation>
    </message>
    <message>
        <location filename="../ui/plots/panel_plots.cpp" line="256"/>
        <location filename="../ui/plots/panel_plots.cpp" line="264"/>
        <location filename="../ui/plots/panel_plots.cpp" line="329"/>
        <source>Nothing to show yet</source>
        <translation>暂无可显示的内容</translation>
    </message>
    <message>
        <location filename="../ui/plots/comparison_plots.cpp" line="519"/>
        <source>  (s = ran on the sparse kernel)</source>
        <translation>  (s = 在稀疏内核上运行)</translation>
    </message>
</context>
<context>
    <name>QObject</name>
    <message>
        <location filename="../ui/new_experiment_wizard.cpp" line="134"/>
        <source>Browse...</source>
        <translation>浏览...</translation>
    </message>
    <message>
        <location filename="../ui/new_experiment_wizard.cpp" line="84"/>
        <source>Cannot read %1.</source>
        <translation>无法读取 %1。</translation>
    </message>
    <message>
        <location filename="../ui/new_experiment_wizard.cpp" line="94"/>
        <source>%1: the first line is not a JSON object (%2).</source>
        <translation>%1：第一行不是 JSON 对象（%2）。</translation>
    </message>
    <message>
        <location filename="../ui/new_experiment_wizard.cpp" line="99"/>
        <location filename="../ui/new_experiment_wizard.cpp" line="125"/>
        <source>%1 is empty.</source>
        <translation>%1 是空的。</translation>
    </message>
</context>
<context>
    <name>tpq::ui::ComparePanel</name>
    <message>
        <location filename="../ui/panels/compare_panel.cpp" line="44"/>
        <source>Moving average over this many steps (1 = the raw loss)</source>
        <translation>对这么多步取滑动平均（1 = 原始损失）</translation>
    </message>
    <message>
        <location filename="../ui/panels/compare_panel.cpp" line="45"/>
        <source>Validation per epoch</source>
        <translation>每轮验证</translation>
    </message>
    <message>
        <location filename="../ui/panels/compare_panel.cpp" line="47"/>
        <source>Training curves</source>
        <translation>训练曲线</translation>
    </message>
    <message>
        <location filename="../ui/panels/compare_panel.cpp" line="49"/>
        <source>optimizer step</source>
        <translation>优化步</translation>
    </message>
    <message>
        <location filename="../ui/panels/compare_panel.cpp" line="67"/>
        <source>Runs to compare:</source>
        <translation>要比较的运行：</translation>
    </message>
    <message>
        <location filename="../ui/panels/compare_panel.cpp" line="70"/>
        <source>Loss smoothing (steps):</source>
        <translation>损失平滑（步数）：</translation>
    </message>
    <message>
        <location filename="../ui/panels/compare_panel.cpp" line="74"/>
        <source>Metrics</source>
        <translation>指标</translation>
    </message>
    <message>
        <location filename="../ui/panels/compare_panel.cpp" line="75"/>
        <source>Per class</source>
        <translation>按类别</translation>
    </message>
    <message>
        <location filename="../ui/panels/compare_panel.cpp" line="76"/>
        <source>Confusion matrices</source>
        <translation>混淆矩阵</translation>
    </message>
    <message>
        <location filename="../ui/panels/compare_panel.cpp" line="179"/>
        <source>%1 val. accuracy</source>
        <translation>%1 验证准确率</translation>
    </message>
    <message>
        <location filename="../ui/panels/compare_panel.cpp" line="210"/>
        <source>Accuracy (%)</source>
        <translation>准确率 (%)</translation>
    </message>
    <message>
        <location filename="../ui/panels/compare_panel.cpp" line="211"/>
        <source>F1</source>
        <translation>F1</translation>
    </message>
    <message>
        <location filename="../ui/panels/compare_panel.cpp" line="212"/>
        <source>Precision</source>
        <translation>精确率</translation>
    </message>
    <message>
        <location filename="../ui/panels/compare_panel.cpp" line="213"/>
        <source>Recall</source>
        <translation>召回率</translation>
    </message>
    <message>
        <location filename="../ui/panels/compare_panel.cpp" line="214"/>
        <source>Size (MB)</source>
        <translation>大小 (MB)</translation>
    </message>
    <message>
        <location filename="../ui/panels/compare_panel.cpp" line="215"/>
        <source>p50 latency (ms)</source>
        <translation>p50 延迟 (ms)</translation>
    </message>
    <message>
        <location filename="../ui/panels/compare_panel.cpp" line="216"/>
        <source>Sparsity (%)</source>
        <translation>稀疏度 (%)</translation>
    </message>
    <message>
        <location filename="../ui/panels/compare_panel.cpp" line="217"/>
        <source>Non-zero parameters</source>
        <translation>非零参数</translation>
    </message>
    <message>
        <location filename="../ui/panels/compare_panel.cpp" line="223"/>
        <source> (reference)</source>
        <translation>（参照）</translation>
    </message>
    <message>
        <location filename="../ui/panels/compare_panel.cpp" line="254"/>
        <source>Class</source>
        <translation>类别</translation>
    </message>
    <message>
        <location filename="../ui/panels/compare_panel.cpp" line="257"/>
        <source>%1 precision</source>
        <translation>%1 精确率</translation>
    </message>
    <message>
        <location filename="../ui/panels/compare_panel.cpp" line="257"/>
        <source>%1 recall</source>
        <translation>%1 召回率</translation>
    </message>
    <message>
        <location filename="../ui/panels/compare_panel.cpp" line="257"/>
        <source>%1 F1</source>
        <translation>%1 F1</translation>
    </message>
    <message>
        <location filename="../ui/panels/compare_panel.cpp" line="145"/>
        <source>rows: true, columns: predicted</source>
        <translation>行：真实，列：预测</translation>
    </message>
    <message>
        <location filename="../ui/panels/compare_panel.cpp" line="147"/>
        <source>Pick runs on the left to compare them.</source>
        <translation>请在左侧选择要比较的运行。</translation>
    </message>
    <message>
        <location filename="../ui/panels/compare_panel.cpp" line="50"/>
        <source>loss (solid)</source>
        <translation>损失（实线）</translation>
    </message>
    <message>
        <location filename="../ui/panels/compare_panel.cpp" line="52"/>
        <source>validation accuracy (%, dashed)</source>
        <translation>验证准确率（%，虚线）</translation>
    </message>
    <message>
        <location filename="../ui/panels/compare_panel.cpp" line="189"/>
        <source>Pick runs on the left</source>
        <translation>在左侧选择运行</translation>
    </message>
    <message>
        <location filename="../ui/panels/compare_panel.cpp" line="190"/>
        <source>The picked runs recorded no training history</source>
        <translation>所选运行没有记录训练历史</translation>
    </message>
</context>
<context>
    <name>tpq::ui::DatasetPanel</name>
    <message>
        <location filename="../ui/panels/dataset_panel.cpp" line="27"/>
        <source>file or folder; empty = the packaged corpus</source>
        <translation>文件或文件夹；留空 = 使用自带语料库</translation>
    </message>
    <message>
        <location filename="../ui/panels/dataset_panel.cpp" line="28"/>
        <source>Browse...</source>
        <translation>浏览...</translation>
    </message>
    <message>
        <location filename="../ui/panels/dataset_panel.cpp" line="31"/>
        <source>First row names the columns</source>
        <translation>首行为列名</translation>
    </message>
    <message>
        <location filename="../ui/panels/dataset_panel.cpp" line="32"/>
        <source>Load Preview</source>
        <translation>加载预览</translation>
    </message>
    <message>
        <location filename="../ui/panels/dataset_panel.cpp" line="39"/>
        <source>Source:</source>
        <translation>来源：</translation>
    </message>
    <message>
        <location filename="../ui/panels/dataset_panel.cpp" line="40"/>
        <source>Path:</source>
        <translation>路径：</translation>
    </message>
    <message>
        <location filename="../ui/panels/dataset_panel.cpp" line="41"/>
        <source>Text column:</source>
        <translation>文本列：</translation>
    </message>
    <message>
        <location filename="../ui/panels/dataset_panel.cpp" line="42"/>
        <source>Label column:</source>
        <translation>标签列：</translation>
    </message>
    <message>
        <location filename="../ui/panels/dataset_panel.cpp" line="51"/>
        <location filename="../ui/panels/dataset_panel.cpp" line="143"/>
        <source>No data loaded yet: choose a source and press Load Preview.</source>
        <translation>尚未加载数据：请选择来源并点击“加载预览”。</translation>
    </message>
    <message>
        <location filename="../ui/panels/dataset_panel.cpp" line="54"/>
        <source>Label</source>
        <translation>标签</translation>
    </message>
    <message>
        <location filename="../ui/panels/dataset_panel.cpp" line="54"/>
        <source>Text</source>
        <translation>文本</translation>
    </message>
    <message>
        <location filename="../ui/panels/dataset_panel.cpp" line="59"/>
        <source>Class balance</source>
        <translation>类别分布</translation>
    </message>
    <message>
        <location filename="../ui/panels/dataset_panel.cpp" line="60"/>
        <source>Text length</source>
        <translation>文本长度</translation>
    </message>
    <message>
        <location filename="../ui/panels/dataset_panel.cpp" line="70"/>
        <source>Problems and notes:</source>
        <translation>问题与说明：</translation>
    </message>
    <message>
        <location filename="../ui/panels/dataset_panel.cpp" line="137"/>
        <source>Error: %1</source>
        <translation>错误：%1</translation>
    </message>
    <message>
        <location filename="../ui/panels/dataset_panel.cpp" line="151"/>
        <source>%1 texts in %2 classes from %3; %4 duplicates removed.</source>
        <translation>来自 %3 的 %1 条文本，共 %2 个类别；已移除 %4 条重复项。</translation>
    </message>
    <message>
        <location filename="../ui/panels/dataset_panel.cpp" line="145"/>
        <location filename="../ui/panels/dataset_panel.cpp" line="169"/>
        <location filename="../ui/panels/dataset_panel.cpp" line="174"/>
        <source>texts</source>
        <translation>文本数</translation>
    </message>
    <message>
        <location filename="../ui/panels/dataset_panel.cpp" line="146"/>
        <location filename="../ui/panels/dataset_panel.cpp" line="173"/>
        <source>words per text (up to the 99th percentile)</source>
        <translation>每条文本的词数（至第 99 百分位）</translation>
    </message>
    <message>
        <location filename="../ui/panels/dataset_panel.cpp" line="180"/>
        <source>%1 invalid UTF-8 sequences were replaced by U+FFFD</source>
        <translation>%1 个无效的 UTF-8 序列已替换为 U+FFFD</translation>
    </message>
    <message>
        <location filename="../ui/panels/dataset_panel.cpp" line="190"/>
        <source>No problems found.</source>
        <translation>未发现问题。</translation>
    </message>
</context>
<context>
    <name>tpq::ui::ExperimentWorker</name>
    <message>
        <location filename="../ui/worker/experiment_worker.cpp" line="230"/>
        <source>Predicting: %1</source>
        <translation>预测中：%1</translation>
    </message>
</context>
<context>
    <name>tpq::ui::ExportModelDialog</name>
    <message>
        <location filename="../ui/export_model_dialog.cpp" line="20"/>
        <source>Export Model: %1</source>
        <translation>导出模型：%1</translation>
    </message>
    <message>
        <location filename="../ui/export_model_dialog.cpp" line="22"/>
        <source>ONNX file (ONNX Runtime; fp32 and int8 forms)</source>
        <translation>ONNX 文件（ONNX Runtime；fp32 与 int8 形式）</translation>
    </message>
    <message>
        <location filename="../ui/export_model_dialog.cpp" line="23"/>
        <source>Hugging Face folder (transformers, BERT)</source>
        <translation>Hugging Face 文件夹（transformers，BERT）</translation>
    </message>
    <message>
        <location filename="../ui/export_model_dialog.cpp" line="25"/>
        <source>tpq export --format onnx|hf. The custom Transformer has no Hugging Face architecture: ONNX only.</source>
        <translation>tpq export --format onnx|hf。自定义 Transformer 没有 Hugging Face 架构：只能导出为 ONNX。</translation>
    </message>
    <message>
        <location filename="../ui/export_model_dialog.cpp" line="30"/>
        <source>tpq export --opset: the ONNX opset (int8 layers need 13 or later)</source>
        <translation>tpq export --opset：ONNX 算子集版本（int8 层需要 13 或更高）</translation>
    </message>
    <message>
        <location filename="../ui/export_model_dialog.cpp" line="33"/>
        <source>Browse...</source>
        <translation>浏览...</translation>
    </message>
    <message>
        <location filename="../ui/export_model_dialog.cpp" line="41"/>
        <source>Format</source>
        <translation>格式</translation>
    </message>
    <message>
        <location filename="../ui/export_model_dialog.cpp" line="42"/>
        <source>ONNX opset</source>
        <translation>ONNX 算子集</translation>
    </message>
    <message>
        <location filename="../ui/export_model_dialog.cpp" line="43"/>
        <source>Output</source>
        <translation>输出</translation>
    </message>
    <message>
        <location filename="../ui/export_model_dialog.cpp" line="45"/>
        <source>Export</source>
        <translation>导出</translation>
    </message>
    <message>
        <location filename="../ui/export_model_dialog.cpp" line="72"/>
        <source>One .onnx file with export.json, vocab.txt and labels.json beside it. Quantized layers keep their int8 weights; sparse layers are written dense.</source>
        <translation>一个 .onnx 文件，旁边附 export.json、vocab.txt 和 labels.json。量化层保留 int8 权重；稀疏层按稠密写出。</translation>
    </message>
    <message>
        <location filename="../ui/export_model_dialog.cpp" line="74"/>
        <source>config.json (label names, pruned heads), vocab.txt and model.safetensors with Hugging Face&apos;s names. Quantized layers are dequantized to fp32.</source>
        <translation>config.json（标签名、已剪枝的头）、vocab.txt 和使用 Hugging Face 命名的 model.safetensors。量化层反量化为 fp32。</translation>
    </message>
    <message>
        <location filename="../ui/export_model_dialog.cpp" line="81"/>
        <source>ONNX models (*.onnx)</source>
        <translation>ONNX 模型 (*.onnx)</translation>
    </message>
    <message>
        <location filename="../ui/export_model_dialog.cpp" line="81"/>
        <source>Folders (*)</source>
        <translation>文件夹 (*)</translation>
    </message>
</context>
<context>
    <name>tpq::ui::MainWindow</name>
    <message>
        <source>Cannot re-read the project's runs: %1</source>
        <translation>无法重新读取项目的运行记录：%1</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="97"/>
        <source>Dataset</source>
        <translation>数据集</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="97"/>
        <source>Model</source>
        <translation>模型</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="97"/>
        <source>Pruning</source>
        <translation>剪枝</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="97"/>
        <source>Quantization</source>
        <translation>量化</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="98"/>
        <source>Results</source>
        <translation>结果</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="130"/>
        <source>Log</source>
        <translation>日志</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="151"/>
        <source>Loading the dataset...</source>
        <translation>正在加载数据集...</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="161"/>
        <source>Nothing to evaluate</source>
        <translation>没有可评估的内容</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="161"/>
        <source>Train the baseline first (Model panel, Train).</source>
        <translation>请先训练基线模型（“模型”面板，“训练”）。</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="194"/>
        <source>Ready: File &gt; New Experiment, or open a project.</source>
        <translation>就绪：文件 &gt; 新建实验，或打开一个项目。</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="200"/>
        <source>&amp;File</source>
        <translation>文件(&amp;F)</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="201"/>
        <source>&amp;New Experiment...</source>
        <translation>新建实验(&amp;N)...</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="202"/>
        <source>&amp;Open...</source>
        <translation>打开(&amp;O)...</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="203"/>
        <source>Open Results &amp;Folder...</source>
        <translation>打开结果文件夹(&amp;F)...</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="203"/>
        <source>Ctrl+Shift+O</source>
        <translation>Ctrl+Shift+O</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="205"/>
        <source>Open &amp;Recent</source>
        <translation>最近打开(&amp;R)</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="207"/>
        <source>&amp;Save</source>
        <translation>保存(&amp;S)</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="209"/>
        <source>Save &amp;As...</source>
        <translation>另存为(&amp;A)...</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="212"/>
        <source>Export Results &amp;CSV...</source>
        <translation>导出结果 CSV(&amp;C)...</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="212"/>
        <source>Ctrl+E</source>
        <translation>Ctrl+E</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="213"/>
        <source>Export Plots &amp;PNG...</source>
        <translation>导出图表 PNG(&amp;P)...</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="213"/>
        <source>Ctrl+Shift+E</source>
        <translation>Ctrl+Shift+E</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="214"/>
        <source>Export &amp;Model...</source>
        <translation>导出模型(&amp;M)...</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="216"/>
        <source>&amp;Quit</source>
        <translation>退出(&amp;Q)</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="217"/>
        <source>&amp;Run</source>
        <translation>运行(&amp;R)</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="218"/>
        <source>&amp;Start</source>
        <translation>开始(&amp;S)</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="218"/>
        <source>F5</source>
        <translation>F5</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="219"/>
        <source>&amp;Cancel</source>
        <translation>取消(&amp;C)</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="219"/>
        <source>Shift+F5</source>
        <translation>Shift+F5</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="221"/>
        <source>&amp;View</source>
        <translation>视图(&amp;V)</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="232"/>
        <source>&amp;Help</source>
        <translation>帮助(&amp;H)</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="234"/>
        <source>&amp;About TPQ Studio</source>
        <translation>关于 TPQ Studio(&amp;A)</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="247"/>
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="265"/>
        <location filename="../ui/main_window.cpp" line="274"/>
        <source>ETA %1</source>
        <translation>剩余时间 %1</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="273"/>
        <source>Training: epoch %1/%2, loss %3</source>
        <translation>训练中：第 %1/%2 轮，损失 %3</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="278"/>
        <source>[%1/%2] %3: running</source>
        <translation>[%1/%2] %3：运行中</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="281"/>
        <source>[%1/%2] %3: done in %4 s</source>
        <translation>[%1/%2] %3：完成，用时 %4 秒</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="324"/>
        <source>Cannot reload the project</source>
        <translation>无法重新加载项目</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="344"/>
        <source>Cancelled after %1 s; what finished before is kept.</source>
        <translation>已在 %1 秒后取消；此前已完成的部分会保留。</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="347"/>
        <source>Cannot load the dataset</source>
        <translation>无法加载数据集</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="347"/>
        <source>The run failed</source>
        <translation>运行失败</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="349"/>
        <source>Done in %1 s.</source>
        <translation>完成，用时 %1 秒。</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="505"/>
        <source>TPQ Studio</source>
        <translation>TPQ Studio</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="810"/>
        <location filename="../ui/main_window.cpp" line="924"/>
        <source>A run is in progress</source>
        <translation>有运行正在进行</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="597"/>
        <source>Cancel it (Run &gt; Cancel) before opening another project.</source>
        <translation>请先取消该运行（运行 &gt; 取消），再打开其他项目。</translation>
    </message>
    <message numerus="yes">
        <location filename="../ui/main_window.cpp" line="629"/>
        <source>Opened %1: %n run(s)</source>
        <translation>
            <numerusform>已打开 %1：%n 个运行</numerusform>
        </translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="633"/>
        <source>Cannot open %1</source>
        <translation>无法打开 %1</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="639"/>
        <source>Cancel it (Run &gt; Cancel) before starting a new experiment.</source>
        <translation>请先取消该运行（运行 &gt; 取消），再开始新实验。</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="650"/>
        <source>Cannot create the project</source>
        <translation>无法创建项目</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="655"/>
        <location filename="../ui/main_window.cpp" line="663"/>
        <source>No project</source>
        <translation>没有项目</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="839"/>
        <source>Create one (File &gt; New Experiment) or open a project file first.</source>
        <translation>请先创建项目（文件 &gt; 新建实验）或打开项目文件。</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="677"/>
        <source>Running %1</source>
        <translation>正在运行 %1</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="684"/>
        <source>Cancelling...</source>
        <translation>正在取消...</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="689"/>
        <location filename="../ui/main_window.cpp" line="705"/>
        <source>Nothing to save</source>
        <translation>没有可保存的内容</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="696"/>
        <source>Saved %1</source>
        <translation>已保存 %1</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="699"/>
        <location filename="../ui/main_window.cpp" line="731"/>
        <location filename="../ui/main_window.cpp" line="904"/>
        <source>Cannot save the project</source>
        <translation>无法保存项目</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="709"/>
        <source>Save Project As</source>
        <translation>项目另存为</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="710"/>
        <location filename="../ui/main_window.cpp" line="936"/>
        <source>TPQ Studio projects (*.tpq.yaml)</source>
        <translation>TPQ Studio 项目 (*.tpq.yaml)</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="800"/>
        <source>Unsaved changes</source>
        <translation>未保存的更改</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="800"/>
        <source>The project has unsaved changes. Save them?</source>
        <translation>项目有未保存的更改。是否保存？</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="811"/>
        <source>Cancel the run and quit? Finished variants are kept; the interrupted one runs again when you start the project.</source>
        <translation>取消运行并退出？已完成的变体会保留；被中断的变体将在你再次启动项目时重新运行。</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="936"/>
        <source>Open Project</source>
        <translation>打开项目</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="941"/>
        <source>Open Results Folder</source>
        <translation>打开结果文件夹</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="947"/>
        <source>Export Model</source>
        <translation>导出模型</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="947"/>
        <source>Select a run in the Results table first: its model is the one exported.</source>
        <translation>请先在结果表中选择一个运行：导出的是它的模型。</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="965"/>
        <source>Replace?</source>
        <translation>替换？</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="980"/>
        <source>Exporting %1 as %2...</source>
        <translation>正在将 %1 导出为 %2...</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="994"/>
        <source>Exported %1 as %2: %3</source>
        <translation>已将 %1 导出为 %2：%3</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="997"/>
        <source>Exported %1 to %2</source>
        <translation>已将 %1 导出到 %2</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="1009"/>
        <source>Wrote %1</source>
        <translation>已写入 %1</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="991"/>
        <location filename="../ui/main_window.cpp" line="1011"/>
        <location filename="../ui/main_window.cpp" line="1036"/>
        <source>Export failed</source>
        <translation>导出失败</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="1016"/>
        <source>Export Results CSV</source>
        <translation>导出结果 CSV</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="1016"/>
        <source>CSV files (*.csv)</source>
        <translation>CSV 文件 (*.csv)</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="1021"/>
        <source>Export Plot PNG</source>
        <translation>导出图表 PNG</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="1021"/>
        <source>PNG images (*.png)</source>
        <translation>PNG 图像 (*.png)</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="1045"/>
        <source>About TPQ Studio</source>
        <translation>关于 TPQ Studio</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="1046"/>
        <source>&lt;b&gt;TPQ Studio&lt;/b&gt; %1&lt;br&gt;Pruning and quantization workbench for Transformer text classifiers.&lt;br&gt;&lt;br&gt;Qt %2; %3&lt;br&gt;BLAS: %4&lt;br&gt;Threads: %5 of %6 cores</source>
        <translation>&lt;b&gt;TPQ Studio&lt;/b&gt; %1&lt;br&gt;Transformer 文本分类器的剪枝与量化工作台。&lt;br&gt;&lt;br&gt;Qt %2；%3&lt;br&gt;BLAS：%4&lt;br&gt;线程：%5（共 %6 个核心）</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="1027"/>
        <source>Nothing to export</source>
        <translation>没有可导出的内容</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="1027"/>
        <source>Open a project or a results folder with finished runs first.</source>
        <translation>请先打开包含已完成运行的项目或结果文件夹。</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="1030"/>
        <source>Export Plots PNG into Folder</source>
        <translation>将图表 PNG 导出到文件夹</translation>
    </message>
    <message numerus="yes">
        <location filename="../ui/main_window.cpp" line="1034"/>
        <source>Wrote %n plot(s) to %1</source>
        <translation>
            <numerusform>已将 %n 张图表写入 %1</numerusform>
        </translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="285"/>
        <source>[%1/%2] %3: finished before, skipped</source>
        <translation>[%1/%2] %3：之前已完成，已跳过</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="606"/>
        <source>%1 does not exist: choose a project file (*.tpq.yaml) or a results folder</source>
        <translation>%1 不存在：请选择项目文件（*.tpq.yaml）或结果文件夹</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="610"/>
        <source>%1 is neither a project file (*.tpq.yaml) nor a results folder</source>
        <translation>%1 既不是项目文件（*.tpq.yaml）也不是结果文件夹</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="668"/>
        <source>Run again?</source>
        <translation>重新运行？</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="669"/>
        <source>%1 has finished before (%2). Run it again with the current settings?</source>
        <translation>%1 之前已完成（%2）。要用当前设置重新运行吗？</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="689"/>
        <location filename="../ui/main_window.cpp" line="705"/>
        <source>Save when it has finished, or cancel it first.</source>
        <translation>请等运行结束后再保存，或先取消运行。</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="715"/>
        <source>Replace file?</source>
        <translation>替换文件？</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="715"/>
        <location filename="../ui/main_window.cpp" line="965"/>
        <source>%1 exists. Replace it?</source>
        <translation>%1 已存在。要替换吗？</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="209"/>
        <source>Ctrl+Shift+S</source>
        <translation>Ctrl+Shift+S</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="210"/>
        <source>&amp;Close Project</source>
        <translation>关闭项目(&amp;C)</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="210"/>
        <source>Ctrl+W</source>
        <translation>Ctrl+W</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="216"/>
        <source>Ctrl+Q</source>
        <translation>Ctrl+Q</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="228"/>
        <source>&amp;Log</source>
        <translation>日志(&amp;L)</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="229"/>
        <source>Ctrl+L</source>
        <translation>Ctrl+L</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="524"/>
        <source>Open a results folder or a project (File menu) to compare its runs.</source>
        <translation>打开结果文件夹或项目（文件菜单）以比较其运行。</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="737"/>
        <source>Cancel it (Run &gt; Cancel) before closing the project.</source>
        <translation>请先取消运行（运行 &gt; 取消），再关闭项目。</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="746"/>
        <source>Project closed.</source>
        <translation>项目已关闭。</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="792"/>
        <source>Cannot read the training settings of %1: %2</source>
        <translation>无法读取 %1 的训练设置：%2</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="98"/>
        <source>Predict</source>
        <translation>预测</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="98"/>
        <source>Compare</source>
        <translation>比较</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="184"/>
        <source>Cannot predict</source>
        <translation>无法预测</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="233"/>
        <source>&amp;User Guide</source>
        <translation>用户指南(&amp;U)</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="233"/>
        <source>F1</source>
        <translation>F1</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="375"/>
        <source>&lt;h1&gt;TPQ Studio&lt;/h1&gt;&lt;p&gt;Prune and quantize Transformer text classifiers, and compare every variant: accuracy, F1, size, latency.&lt;/p&gt;</source>
        <translation>&lt;h1&gt;TPQ Studio&lt;/h1&gt;&lt;p&gt;对 Transformer 文本分类器进行剪枝和量化，并比较每个变体：准确率、F1、大小、延迟。&lt;/p&gt;</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="378"/>
        <source>New Experiment...</source>
        <translation>新建实验...</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="380"/>
        <source>A wizard: dataset, tokenizer, model, the variants to compare (Ctrl+N)</source>
        <translation>向导：数据集、分词器、模型、要比较的变体（Ctrl+N）</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="381"/>
        <source>Open Project...</source>
        <translation>打开项目...</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="383"/>
        <source>Open the Demo</source>
        <translation>打开演示项目</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="386"/>
        <source>The quickstart bert-mini on the SpamAssassin corpus and four compressed variants; Run &gt; Start runs what has not run yet</source>
        <translation>SpamAssassin 语料上的快速入门 bert-mini 及四个压缩变体；运行 &gt; 开始会运行尚未运行的部分</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="397"/>
        <source>&lt;b&gt;Open Recent&lt;/b&gt; (double-click)</source>
        <translation>&lt;b&gt;最近打开&lt;/b&gt;（双击）</translation>
    </message>
    <message numerus="yes">
        <location filename="../ui/main_window.cpp" line="436"/>
        <source>%n finished run(s)</source>
        <translation>
            <numerusform>%n 个已完成的运行</numerusform>
        </translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="437"/>
        <source>, best accuracy %1%</source>
        <translation>，最佳准确率 %1%</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="440"/>
        <source>cannot be opened: %1</source>
        <translation>无法打开：%1</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="443"/>
        <source>results folder</source>
        <translation>结果文件夹</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="451"/>
        <source>No recent projects yet.</source>
        <translation>还没有最近的项目。</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="463"/>
        <source>Cannot open the demo</source>
        <translation>无法打开演示项目</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="464"/>
        <source>Cannot copy %1 to %2: check that the folder is writable.</source>
        <translation>无法将 %1 复制到 %2：请检查文件夹是否可写。</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="481"/>
        <source>No user guide</source>
        <translation>没有用户指南</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="486"/>
        <source>TPQ Studio User Guide</source>
        <translation>TPQ Studio 用户指南</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="853"/>
        <location filename="../ui/main_window.cpp" line="959"/>
        <source>No model folder</source>
        <translation>没有模型文件夹</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="853"/>
        <location filename="../ui/main_window.cpp" line="959"/>
        <source>Run %1 recorded no model folder.</source>
        <translation>运行 %1 没有记录模型文件夹。</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="854"/>
        <location filename="../ui/main_window.cpp" line="960"/>
        <source>The model folder of run %1 is gone: %2</source>
        <translation>运行 %1 的模型文件夹已不存在：%2</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="858"/>
        <source>Model folder of %1: %2</source>
        <translation>%1 的模型文件夹：%2</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="865"/>
        <location filename="../ui/main_window.cpp" line="874"/>
        <location filename="../ui/main_window.cpp" line="895"/>
        <source>Delete Run</source>
        <translation>删除运行</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="866"/>
        <source>Wait for the run to finish (or cancel it) before deleting one.</source>
        <translation>请等运行结束（或取消它）后再删除运行。</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="869"/>
        <source>A prediction is in progress</source>
        <translation>正在预测</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="869"/>
        <source>Wait for the prediction to finish before deleting a run.</source>
        <translation>请等预测结束后再删除运行。</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="874"/>
        <source>Run %1 is not one of this project&apos;s runs.</source>
        <translation>运行 %1 不属于本项目。</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="885"/>
        <source>Delete the run of variant &quot;%1&quot; (%2)?</source>
        <translation>删除变体“%1”的运行（%2）？</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="888"/>
        <source>No folder of it lies in the project&apos;s results or checkpoints; nothing is deleted from disk.</source>
        <translation>它没有位于本项目 results 或 checkpoints 中的文件夹；磁盘上不删除任何内容。</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="889"/>
        <source>These folders are deleted:</source>
        <translation>将删除这些文件夹：</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="892"/>
        <source>This is the baseline: Run &gt; Start trains it again, and the variants made from it run again.</source>
        <translation>这是基线：“运行 &gt; 开始”会重新训练它，由它生成的变体也会重新运行。</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="894"/>
        <source>Run &gt; Start runs the variant again.</source>
        <translation>“运行 &gt; 开始”会重新运行该变体。</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="913"/>
        <source>Some folders were not deleted</source>
        <translation>有些文件夹未能删除</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="914"/>
        <source>The run is gone from the project, but these folders could not be deleted (check permissions):</source>
        <translation>该运行已从项目中移除，但这些文件夹无法删除（请检查权限）：</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="918"/>
        <source>Deleted %1.</source>
        <translation>已删除 %1。</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="621"/>
        <source>Opened %1</source>
        <translation>已打开 %1</translation>
    </message>
</context>
<context>
    <name>tpq::ui::ModelPanel</name>
    <message>
        <location filename="../ui/panels/model_panel.cpp" line="36"/>
        <source>WordPiece (BERT vocabulary)</source>
        <translation>WordPiece（BERT 词表）</translation>
    </message>
    <message>
        <location filename="../ui/panels/model_panel.cpp" line="37"/>
        <source>Words (built from the training split)</source>
        <translation>词（基于训练集构建）</translation>
    </message>
    <message>
        <location filename="../ui/panels/model_panel.cpp" line="52"/>
        <source>Train</source>
        <translation>训练</translation>
    </message>
    <message>
        <location filename="../ui/panels/model_panel.cpp" line="54"/>
        <source>Evaluate</source>
        <translation>评估</translation>
    </message>
    <message>
        <location filename="../ui/panels/model_panel.cpp" line="62"/>
        <source>Architecture</source>
        <translation>架构</translation>
    </message>
    <message>
        <location filename="../ui/panels/model_panel.cpp" line="64"/>
        <source>Model:</source>
        <translation>模型：</translation>
    </message>
    <message>
        <location filename="../ui/panels/model_panel.cpp" line="65"/>
        <source>Classes:</source>
        <translation>类别数：</translation>
    </message>
    <message>
        <location filename="../ui/panels/model_panel.cpp" line="66"/>
        <source>Width (d_model):</source>
        <translation>宽度（d_model）：</translation>
    </message>
    <message>
        <location filename="../ui/panels/model_panel.cpp" line="67"/>
        <source>Attention heads:</source>
        <translation>注意力头数：</translation>
    </message>
    <message>
        <location filename="../ui/panels/model_panel.cpp" line="68"/>
        <source>Layers:</source>
        <translation>层数：</translation>
    </message>
    <message>
        <location filename="../ui/panels/model_panel.cpp" line="69"/>
        <source>Feed-forward width:</source>
        <translation>前馈层宽度：</translation>
    </message>
    <message>
        <location filename="../ui/panels/model_panel.cpp" line="70"/>
        <source>Tokenizer:</source>
        <translation>分词器：</translation>
    </message>
    <message>
        <location filename="../ui/panels/model_panel.cpp" line="71"/>
        <source>Max tokens per text:</source>
        <translation>每条文本最大词元数：</translation>
    </message>
    <message>
        <location filename="../ui/panels/model_panel.cpp" line="73"/>
        <source>Training</source>
        <translation>训练</translation>
    </message>
    <message>
        <location filename="../ui/panels/model_panel.cpp" line="75"/>
        <source>Epochs:</source>
        <translation>训练轮数：</translation>
    </message>
    <message>
        <location filename="../ui/panels/model_panel.cpp" line="76"/>
        <source>Batch size:</source>
        <translation>批大小：</translation>
    </message>
    <message>
        <location filename="../ui/panels/model_panel.cpp" line="77"/>
        <source>Learning rate:</source>
        <translation>学习率：</translation>
    </message>
    <message>
        <location filename="../ui/panels/model_panel.cpp" line="96"/>
        <source>Training curves</source>
        <translation>训练曲线</translation>
    </message>
    <message>
        <location filename="../ui/panels/model_panel.cpp" line="98"/>
        <source>training loss (per step)</source>
        <translation>训练损失（每步）</translation>
    </message>
    <message>
        <location filename="../ui/panels/model_panel.cpp" line="101"/>
        <source>train accuracy (per epoch)</source>
        <translation>训练准确率（每轮）</translation>
    </message>
    <message>
        <location filename="../ui/panels/model_panel.cpp" line="103"/>
        <source>validation accuracy (per epoch)</source>
        <translation>验证准确率（每轮）</translation>
    </message>
    <message>
        <location filename="../ui/panels/model_panel.cpp" line="109"/>
        <source>optimizer step</source>
        <translation>优化器步数</translation>
    </message>
    <message>
        <location filename="../ui/panels/model_panel.cpp" line="110"/>
        <source>loss</source>
        <translation>损失</translation>
    </message>
    <message>
        <location filename="../ui/panels/model_panel.cpp" line="216"/>
        <source>%1 parameters, %2 MB in fp32 (vocabulary of %3 tokens%4)</source>
        <translation>%1 个参数，fp32 下 %2 MB（词表 %3 个词元%4）</translation>
    </message>
    <message>
        <location filename="../ui/panels/model_panel.cpp" line="224"/>
        <source>The width must be a multiple of the heads.</source>
        <translation>宽度必须是注意力头数的整数倍。</translation>
    </message>
    <message>
        <location filename="../ui/panels/model_panel.cpp" line="288"/>
        <source>Test accuracy %1%, F1 %2, loss %3</source>
        <translation>测试准确率 %1%，F1 %2，损失 %3</translation>
    </message>
    <message>
        <location filename="../ui/panels/model_panel.cpp" line="292"/>
        <source>Confusion matrix (rows: true, columns: predicted):</source>
        <translation>混淆矩阵（行：真实类别，列：预测类别）：</translation>
    </message>
    <message>
        <location filename="../ui/panels/model_panel.cpp" line="112"/>
        <source>accuracy (%)</source>
        <translation>准确率 (%)</translation>
    </message>
    <message>
        <location filename="../ui/panels/model_panel.cpp" line="220"/>
        <source>, as the trained model built it</source>
        <translation>，即训练好的模型所建的词表</translation>
    </message>
    <message>
        <location filename="../ui/panels/model_panel.cpp" line="221"/>
        <source>, at most: it is built from the training split</source>
        <translation>，为上限：词表由训练集构建</translation>
    </message>
    <message>
        <location filename="../ui/panels/model_panel.cpp" line="233"/>
        <source>Train the baseline (Train, or Run &gt; Start) to see its curves here</source>
        <translation>训练基线（“训练”，或“运行 &gt; 开始”）后，这里显示它的曲线</translation>
    </message>
    <message>
        <location filename="../ui/panels/model_panel.cpp" line="278"/>
        <source>This run recorded no training history</source>
        <translation>该运行没有记录训练历史</translation>
    </message>
</context>
<context>
    <name>tpq::ui::NewExperimentWizard</name>
    <message>
        <location filename="../ui/new_experiment_wizard.cpp" line="146"/>
        <source>New Experiment</source>
        <translation>新建实验</translation>
    </message>
    <message>
        <location filename="../ui/new_experiment_wizard.cpp" line="166"/>
        <source>empty = the packaged SpamAssassin corpus</source>
        <translation>留空 = 使用自带的 SpamAssassin 语料库</translation>
    </message>
    <message>
        <location filename="../ui/new_experiment_wizard.cpp" line="178"/>
        <source>Dataset</source>
        <translation>数据集</translation>
    </message>
    <message>
        <location filename="../ui/new_experiment_wizard.cpp" line="178"/>
        <source>Where the labelled texts come from.</source>
        <translation>带标签文本的来源。</translation>
    </message>
    <message>
        <location filename="../ui/new_experiment_wizard.cpp" line="180"/>
        <source>Source:</source>
        <translation>来源：</translation>
    </message>
    <message>
        <location filename="../ui/new_experiment_wizard.cpp" line="181"/>
        <source>Path:</source>
        <translation>路径：</translation>
    </message>
    <message>
        <location filename="../ui/new_experiment_wizard.cpp" line="184"/>
        <source>Text column:</source>
        <translation>文本列：</translation>
    </message>
    <message>
        <location filename="../ui/new_experiment_wizard.cpp" line="185"/>
        <source>Label column:</source>
        <translation>标签列：</translation>
    </message>
    <message>
        <location filename="../ui/new_experiment_wizard.cpp" line="191"/>
        <source>Preview:</source>
        <translation>预览：</translation>
    </message>
    <message>
        <location filename="../ui/new_experiment_wizard.cpp" line="203"/>
        <source>WordPiece (bert-base-uncased vocabulary)</source>
        <translation>WordPiece（bert-base-uncased 词表）</translation>
    </message>
    <message>
        <location filename="../ui/new_experiment_wizard.cpp" line="204"/>
        <source>Words (built from the training split)</source>
        <translation>词（基于训练集构建）</translation>
    </message>
    <message>
        <location filename="../ui/new_experiment_wizard.cpp" line="213"/>
        <source>Tokenizer and splits</source>
        <translation>分词器与数据划分</translation>
    </message>
    <message>
        <location filename="../ui/new_experiment_wizard.cpp" line="213"/>
        <source>How texts become tokens, and how the data is split.</source>
        <translation>文本如何切分为词元，以及数据如何划分。</translation>
    </message>
    <message>
        <location filename="../ui/new_experiment_wizard.cpp" line="216"/>
        <source>Tokenizer:</source>
        <translation>分词器：</translation>
    </message>
    <message>
        <location filename="../ui/new_experiment_wizard.cpp" line="217"/>
        <source>Max tokens per text:</source>
        <translation>每条文本最大词元数：</translation>
    </message>
    <message>
        <location filename="../ui/new_experiment_wizard.cpp" line="218"/>
        <source>Training fraction:</source>
        <translation>训练集比例：</translation>
    </message>
    <message>
        <location filename="../ui/new_experiment_wizard.cpp" line="219"/>
        <source>Validation fraction:</source>
        <translation>验证集比例：</translation>
    </message>
    <message>
        <location filename="../ui/new_experiment_wizard.cpp" line="220"/>
        <source>Test fraction:</source>
        <translation>测试集比例：</translation>
    </message>
    <message>
        <location filename="../ui/new_experiment_wizard.cpp" line="235"/>
        <source>Hugging Face model folder</source>
        <translation>Hugging Face 模型文件夹</translation>
    </message>
    <message>
        <location filename="../ui/new_experiment_wizard.cpp" line="239"/>
        <source>folder with config.json and model.safetensors</source>
        <translation>包含 config.json 和 model.safetensors 的文件夹</translation>
    </message>
    <message>
        <location filename="../ui/new_experiment_wizard.cpp" line="272"/>
        <source>Model and training</source>
        <translation>模型与训练</translation>
    </message>
    <message>
        <location filename="../ui/new_experiment_wizard.cpp" line="272"/>
        <source>The model to train (or fine-tune) as the baseline.</source>
        <translation>作为基线进行训练（或微调）的模型。</translation>
    </message>
    <message>
        <location filename="../ui/new_experiment_wizard.cpp" line="275"/>
        <source>Model:</source>
        <translation>模型：</translation>
    </message>
    <message>
        <location filename="../ui/new_experiment_wizard.cpp" line="282"/>
        <source>Model folder:</source>
        <translation>模型文件夹：</translation>
    </message>
    <message>
        <location filename="../ui/new_experiment_wizard.cpp" line="283"/>
        <source>Hugging Face Model Folder</source>
        <translation>Hugging Face 模型文件夹</translation>
    </message>
    <message>
        <location filename="../ui/new_experiment_wizard.cpp" line="285"/>
        <source>Epochs:</source>
        <translation>训练轮数：</translation>
    </message>
    <message>
        <location filename="../ui/new_experiment_wizard.cpp" line="286"/>
        <source>Batch size:</source>
        <translation>批大小：</translation>
    </message>
    <message>
        <location filename="../ui/new_experiment_wizard.cpp" line="287"/>
        <source>Learning rate:</source>
        <translation>学习率：</translation>
    </message>
    <message>
        <location filename="../ui/new_experiment_wizard.cpp" line="310"/>
        <source>Structured pruning (1 fine-tuning epoch), heads removed:</source>
        <translation>结构化剪枝（微调 1 轮），移除的注意力头比例：</translation>
    </message>
    <message>
        <location filename="../ui/new_experiment_wizard.cpp" line="313"/>
        <source>Dynamic int8 quantization</source>
        <translation>动态 int8 量化</translation>
    </message>
    <message>
        <location filename="../ui/new_experiment_wizard.cpp" line="315"/>
        <source>Static int8 quantization (calibrated)</source>
        <translation>静态 int8 量化（校准）</translation>
    </message>
    <message>
        <location filename="../ui/new_experiment_wizard.cpp" line="317"/>
        <source>Quantization-aware training</source>
        <translation>量化感知训练</translation>
    </message>
    <message>
        <location filename="../ui/new_experiment_wizard.cpp" line="319"/>
        <source>Mixed precision (sensitivity analysis)</source>
        <translation>混合精度（敏感度分析）</translation>
    </message>
    <message>
        <location filename="../ui/new_experiment_wizard.cpp" line="321"/>
        <source>Combined: structured pruning, then dynamic int8</source>
        <translation>组合：先结构化剪枝，再动态 int8 量化</translation>
    </message>
    <message>
        <location filename="../ui/new_experiment_wizard.cpp" line="324"/>
        <source>Variants</source>
        <translation>变体</translation>
    </message>
    <message>
        <location filename="../ui/new_experiment_wizard.cpp" line="324"/>
        <source>The compressed models to compare with the baseline.</source>
        <translation>要与基线比较的压缩模型。</translation>
    </message>
    <message>
        <location filename="../ui/new_experiment_wizard.cpp" line="353"/>
        <source>Start the experiment now</source>
        <translation>立即开始实验</translation>
    </message>
    <message>
        <location filename="../ui/new_experiment_wizard.cpp" line="356"/>
        <source>Summary</source>
        <translation>摘要</translation>
    </message>
    <message>
        <location filename="../ui/new_experiment_wizard.cpp" line="356"/>
        <source>The project file is written when you press Finish.</source>
        <translation>点击“完成”时将写入项目文件。</translation>
    </message>
    <message>
        <location filename="../ui/new_experiment_wizard.cpp" line="359"/>
        <source>Project name:</source>
        <translation>项目名称：</translation>
    </message>
    <message>
        <location filename="../ui/new_experiment_wizard.cpp" line="360"/>
        <source>Folder:</source>
        <translation>文件夹：</translation>
    </message>
    <message>
        <location filename="../ui/new_experiment_wizard.cpp" line="361"/>
        <source>Project Folder</source>
        <translation>项目文件夹</translation>
    </message>
    <message>
        <location filename="../ui/new_experiment_wizard.cpp" line="468"/>
        <source>Choose the file or folder to read.</source>
        <translation>请选择要读取的文件或文件夹。</translation>
    </message>
    <message>
        <location filename="../ui/new_experiment_wizard.cpp" line="472"/>
        <source>%1 does not exist.</source>
        <translation>%1 不存在。</translation>
    </message>
    <message>
        <location filename="../ui/new_experiment_wizard.cpp" line="473"/>
        <source>%1 is not a folder.</source>
        <translation>%1 不是文件夹。</translation>
    </message>
    <message>
        <location filename="../ui/new_experiment_wizard.cpp" line="474"/>
        <source>%1 is not a file.</source>
        <translation>%1 不是文件。</translation>
    </message>
    <message>
        <location filename="../ui/new_experiment_wizard.cpp" line="478"/>
        <source>Name the text and the label column.</source>
        <translation>请指定文本列和标签列。</translation>
    </message>
    <message>
        <location filename="../ui/new_experiment_wizard.cpp" line="579"/>
        <source>The three fractions must add up to 1 (now %1).</source>
        <translation>三个比例之和必须为 1（当前为 %1）。</translation>
    </message>
    <message>
        <location filename="../ui/new_experiment_wizard.cpp" line="580"/>
        <source>The training fraction must be above 0.</source>
        <translation>训练集比例必须大于 0。</translation>
    </message>
    <message>
        <location filename="../ui/new_experiment_wizard.cpp" line="581"/>
        <source>The test fraction must be above 0: the variants are compared on it.</source>
        <translation>测试集比例必须大于 0：各变体在测试集上进行比较。</translation>
    </message>
    <message>
        <location filename="../ui/new_experiment_wizard.cpp" line="592"/>
        <source>Choose the model folder.</source>
        <translation>请选择模型文件夹。</translation>
    </message>
    <message>
        <location filename="../ui/new_experiment_wizard.cpp" line="594"/>
        <source>%1 has no config.json: choose a Hugging Face model folder.</source>
        <translation>%1 中没有 config.json：请选择 Hugging Face 模型文件夹。</translation>
    </message>
    <message>
        <location filename="../ui/new_experiment_wizard.cpp" line="597"/>
        <source>%1 has no weights (model.safetensors).</source>
        <translation>%1 中没有权重文件（model.safetensors）。</translation>
    </message>
    <message>
        <location filename="../ui/new_experiment_wizard.cpp" line="603"/>
        <source>Name the project.</source>
        <translation>请为项目命名。</translation>
    </message>
    <message>
        <location filename="../ui/new_experiment_wizard.cpp" line="604"/>
        <source>The name cannot contain slashes.</source>
        <translation>名称不能包含斜杠。</translation>
    </message>
    <message>
        <location filename="../ui/new_experiment_wizard.cpp" line="605"/>
        <source>Choose a folder for the project.</source>
        <translation>请为项目选择文件夹。</translation>
    </message>
    <message>
        <location filename="../ui/new_experiment_wizard.cpp" line="606"/>
        <source>%1 exists already: choose another name.</source>
        <translation>%1 已存在：请换一个名称。</translation>
    </message>
    <message>
        <location filename="../ui/new_experiment_wizard.cpp" line="618"/>
        <source>The SpamAssassin public corpus (ham and spam mails), installed by scripts/setup.</source>
        <translation>SpamAssassin 公开语料库（正常邮件和垃圾邮件），由 scripts/setup 安装。</translation>
    </message>
    <message numerus="yes">
        <location filename="../ui/new_experiment_wizard.cpp" line="625"/>
        <source>Folder with %n entries:</source>
        <translation>
            <numerusform>文件夹包含 %n 个条目：</numerusform>
        </translation>
    </message>
    <message>
        <location filename="../ui/new_experiment_wizard.cpp" line="630"/>
        <source>Cannot read %1.</source>
        <translation>无法读取 %1。</translation>
    </message>
    <message>
        <location filename="../ui/new_experiment_wizard.cpp" line="641"/>
        <source>Project file: %1</source>
        <translation>项目文件：%1</translation>
    </message>
    <message>
        <location filename="../ui/new_experiment_wizard.cpp" line="642"/>
        <source>Data: %1 %2</source>
        <translation>数据：%1 %2</translation>
    </message>
    <message>
        <location filename="../ui/new_experiment_wizard.cpp" line="651"/>
        <source>Model: %1, %2 epochs, batch %3, learning rate %4</source>
        <translation>模型：%1，%2 轮，批大小 %3，学习率 %4</translation>
    </message>
    <message>
        <location filename="../ui/new_experiment_wizard.cpp" line="667"/>
        <source>Variants:</source>
        <translation>变体：</translation>
    </message>
    <message>
        <location filename="../ui/new_experiment_wizard.cpp" line="675"/>
        <source>cannot create the folder %1</source>
        <translation>无法创建文件夹 %1</translation>
    </message>
    <message>
        <location filename="../ui/new_experiment_wizard.cpp" line="167"/>
        <source>the folder to read</source>
        <translation>要读取的文件夹</translation>
    </message>
    <message>
        <location filename="../ui/new_experiment_wizard.cpp" line="168"/>
        <source>the file to read</source>
        <translation>要读取的文件</translation>
    </message>
    <message>
        <location filename="../ui/new_experiment_wizard.cpp" line="490"/>
        <source>%1 has no column &apos;%2&apos;; its columns are: %3.</source>
        <translation>%1 没有列“%2”；它的列为：%3。</translation>
    </message>
    <message>
        <location filename="../ui/new_experiment_wizard.cpp" line="494"/>
        <source>%1 does not have the aclImdb layout: expected train/pos, train/neg (and test/pos, test/neg) sub-folders. Unpack aclImdb_v1.tar.gz and choose its aclImdb folder.</source>
        <translation>%1 不是 aclImdb 结构：应有 train/pos、train/neg（以及 test/pos、test/neg）子文件夹。请解压 aclImdb_v1.tar.gz 并选择其中的 aclImdb 文件夹。</translation>
    </message>
    <message numerus="yes">
        <location filename="../ui/new_experiment_wizard.cpp" line="500"/>
        <source>%1 has %n sub-folder(s): a folder per class needs at least two (one per label).</source>
        <translation>
            <numerusform>%1 有 %n 个子文件夹：按类别分文件夹至少需要两个（每个标签一个）。</numerusform>
        </translation>
    </message>
    <message>
        <location filename="../ui/new_experiment_wizard.cpp" line="644"/>
        <source>Columns: text from &apos;%1&apos;, labels from &apos;%2&apos;</source>
        <translation>列：文本取自“%1”，标签取自“%2”</translation>
    </message>
    <message>
        <location filename="../ui/new_experiment_wizard.cpp" line="646"/>
        <source>Splits: %1% training, %2% validation, %3% test</source>
        <translation>划分：%1% 训练，%2% 验证，%3% 测试</translation>
    </message>
    <message>
        <location filename="../ui/new_experiment_wizard.cpp" line="650"/>
        <source>Tokenizer: %1, at most %2 tokens per text</source>
        <translation>分词器：%1，每条文本最多 %2 个词元</translation>
    </message>
    <message>
        <location filename="../ui/new_experiment_wizard.cpp" line="664"/>
        <source>Results in %1, models in %2</source>
        <translation>结果保存在 %1，模型保存在 %2</translation>
    </message>
    <message>
        <location filename="../ui/new_experiment_wizard.cpp" line="266"/>
        <source>first token (cls)</source>
        <translation>第一个词元 (cls)</translation>
    </message>
    <message>
        <location filename="../ui/new_experiment_wizard.cpp" line="267"/>
        <source>mean over tokens</source>
        <translation>词元平均</translation>
    </message>
    <message>
        <location filename="../ui/new_experiment_wizard.cpp" line="268"/>
        <source>max over tokens</source>
        <translation>词元最大值</translation>
    </message>
    <message>
        <location filename="../ui/new_experiment_wizard.cpp" line="276"/>
        <source>Width (d_model):</source>
        <translation>宽度 (d_model)：</translation>
    </message>
    <message>
        <location filename="../ui/new_experiment_wizard.cpp" line="277"/>
        <source>Attention heads:</source>
        <translation>注意力头：</translation>
    </message>
    <message>
        <location filename="../ui/new_experiment_wizard.cpp" line="278"/>
        <source>Layers:</source>
        <translation>层数：</translation>
    </message>
    <message>
        <location filename="../ui/new_experiment_wizard.cpp" line="279"/>
        <source>Feed-forward width:</source>
        <translation>前馈层宽度：</translation>
    </message>
    <message>
        <location filename="../ui/new_experiment_wizard.cpp" line="280"/>
        <source>Pooling:</source>
        <translation>池化：</translation>
    </message>
    <message>
        <location filename="../ui/new_experiment_wizard.cpp" line="304"/>
        <source>Unstructured pruning, sparsities:</source>
        <translation>非结构化剪枝，稀疏度：</translation>
    </message>
    <message>
        <location filename="../ui/new_experiment_wizard.cpp" line="309"/>
        <source>One sparsity, or several separated by commas for a sweep (one variant each), e.g. 0.3, 0.5, 0.7</source>
        <translation>一个稀疏度，或用逗号分隔的多个稀疏度（扫描，每个一个变体），例如 0.3, 0.5, 0.7</translation>
    </message>
    <message>
        <location filename="../ui/new_experiment_wizard.cpp" line="531"/>
        <source>Sparsities: numbers from 0 to 0.99 separated by commas (e.g. 0.3, 0.5), not &apos;%1&apos;.</source>
        <translation>稀疏度：0 到 0.99 之间、用逗号分隔的数字（例如 0.3, 0.5），而不是“%1”。</translation>
    </message>
    <message>
        <location filename="../ui/new_experiment_wizard.cpp" line="546"/>
        <source>The folder&apos;s config.json decides the size.</source>
        <translation>模型大小由文件夹中的 config.json 决定。</translation>
    </message>
    <message>
        <location filename="../ui/new_experiment_wizard.cpp" line="553"/>
        <source>%1 parameters, %2 MB in fp32%3</source>
        <translation>%1 个参数，fp32 下 %2 MB%3</translation>
    </message>
    <message>
        <location filename="../ui/new_experiment_wizard.cpp" line="556"/>
        <source> (with the largest word vocabulary, %1 tokens; the real one is built from the training split)</source>
        <translation>（按最大词表 %1 个词元计算；实际词表由训练集构建）</translation>
    </message>
    <message>
        <location filename="../ui/new_experiment_wizard.cpp" line="570"/>
        <source>Discard the new experiment?</source>
        <translation>放弃新实验？</translation>
    </message>
    <message>
        <location filename="../ui/new_experiment_wizard.cpp" line="571"/>
        <source>The settings of this new experiment are not saved. Discard them?</source>
        <translation>这个新实验的设置尚未保存。要放弃吗？</translation>
    </message>
    <message>
        <location filename="../ui/new_experiment_wizard.cpp" line="587"/>
        <source>The width (%1) must be a multiple of the attention heads (%2).</source>
        <translation>宽度（%1）必须是注意力头数（%2）的倍数。</translation>
    </message>
    <message>
        <location filename="../ui/new_experiment_wizard.cpp" line="657"/>
        <source>Size: d_model %1, %2 heads, %3 layers, d_ff %4, %5 pooling; %6</source>
        <translation>规模：d_model %1，%2 个注意力头，%3 层，d_ff %4，%5 池化；%6</translation>
    </message>
</context>
<context>
    <name>tpq::ui::PredictPanel</name>
    <message>
        <location filename="../ui/panels/predict_panel.cpp" line="17"/>
        <source>Type or paste a text to classify, e.g. a mail.</source>
        <translation>输入或粘贴要分类的文本，例如一封邮件。</translation>
    </message>
    <message>
        <location filename="../ui/panels/predict_panel.cpp" line="20"/>
        <source>Predict</source>
        <translation>预测</translation>
    </message>
    <message>
        <location filename="../ui/panels/predict_panel.cpp" line="22"/>
        <source>Ctrl+Return</source>
        <translation>Ctrl+Return</translation>
    </message>
    <message>
        <location filename="../ui/panels/predict_panel.cpp" line="23"/>
        <source>Classify the text with every picked run (Ctrl+Return)</source>
        <translation>用每个所选运行对文本分类（Ctrl+Return）</translation>
    </message>
    <message>
        <location filename="../ui/panels/predict_panel.cpp" line="28"/>
        <location filename="../ui/panels/predict_panel.cpp" line="86"/>
        <source>Open a project with finished runs to predict with their models.</source>
        <translation>打开含已完成运行的项目，用它们的模型进行预测。</translation>
    </message>
    <message>
        <location filename="../ui/panels/predict_panel.cpp" line="32"/>
        <source>Text:</source>
        <translation>文本：</translation>
    </message>
    <message>
        <location filename="../ui/panels/predict_panel.cpp" line="34"/>
        <source>Runs to compare (their model folders):</source>
        <translation>要比较的运行（其模型文件夹）：</translation>
    </message>
    <message>
        <location filename="../ui/panels/predict_panel.cpp" line="53"/>
        <source>Type a text first.</source>
        <translation>请先输入文本。</translation>
    </message>
    <message>
        <location filename="../ui/panels/predict_panel.cpp" line="57"/>
        <source>Pick at least one run.</source>
        <translation>请至少选择一个运行。</translation>
    </message>
    <message numerus="yes">
        <location filename="../ui/panels/predict_panel.cpp" line="60"/>
        <source>Predicting with %n run(s)...</source>
        <translation>
            <numerusform>正在用 %n 个运行预测...</numerusform>
        </translation>
    </message>
    <message>
        <location filename="../ui/panels/predict_panel.cpp" line="88"/>
        <source>Type a text, pick runs, press Predict.</source>
        <translation>输入文本，选择运行，然后按“预测”。</translation>
    </message>
    <message>
        <location filename="../ui/panels/predict_panel.cpp" line="113"/>
        <source>Run</source>
        <translation>运行</translation>
    </message>
    <message>
        <location filename="../ui/panels/predict_panel.cpp" line="113"/>
        <source>Label</source>
        <translation>标签</translation>
    </message>
    <message>
        <location filename="../ui/panels/predict_panel.cpp" line="114"/>
        <source>P(%1)</source>
        <translation>P(%1)</translation>
    </message>
    <message>
        <location filename="../ui/panels/predict_panel.cpp" line="115"/>
        <source>Time (ms)</source>
        <translation>时间 (ms)</translation>
    </message>
    <message>
        <location filename="../ui/panels/predict_panel.cpp" line="124"/>
        <source>failed: %1</source>
        <translation>失败：%1</translation>
    </message>
    <message>
        <location filename="../ui/panels/predict_panel.cpp" line="147"/>
        <source>Each run&apos;s answer for the text; time = tokenizing and running it once (model loaded).</source>
        <translation>每个运行对该文本的回答；时间 = 分词并运行一次（模型已加载）。</translation>
    </message>
</context>
<context>
    <name>tpq::ui::PruningPanel</name>
    <message>
        <location filename="../ui/panels/pruning_panel.cpp" line="37"/>
        <source>Unstructured (magnitude)</source>
        <translation>非结构化（按幅值）</translation>
    </message>
    <message>
        <location filename="../ui/panels/pruning_panel.cpp" line="38"/>
        <source>Structured (heads + FFN neurons)</source>
        <translation>结构化（注意力头 + FFN 神经元）</translation>
    </message>
    <message>
        <location filename="../ui/panels/pruning_panel.cpp" line="39"/>
        <source>Progressive (gradual, with fine-tuning)</source>
        <translation>渐进式（逐步剪枝并微调）</translation>
    </message>
    <message>
        <location filename="../ui/panels/pruning_panel.cpp" line="60"/>
        <source>cubic</source>
        <translation>三次</translation>
    </message>
    <message>
        <location filename="../ui/panels/pruning_panel.cpp" line="61"/>
        <source>linear</source>
        <translation>线性</translation>
    </message>
    <message>
        <location filename="../ui/panels/pruning_panel.cpp" line="62"/>
        <source>Run Pruning</source>
        <translation>运行剪枝</translation>
    </message>
    <message>
        <location filename="../ui/panels/pruning_panel.cpp" line="65"/>
        <source>Method</source>
        <translation>方法</translation>
    </message>
    <message>
        <location filename="../ui/panels/pruning_panel.cpp" line="67"/>
        <source>Method:</source>
        <translation>方法：</translation>
    </message>
    <message>
        <location filename="../ui/panels/pruning_panel.cpp" line="68"/>
        <source>Sparsity:</source>
        <translation>稀疏度：</translation>
    </message>
    <message>
        <location filename="../ui/panels/pruning_panel.cpp" line="70"/>
        <source>Heads to remove (fraction):</source>
        <translation>移除的注意力头（比例）：</translation>
    </message>
    <message>
        <location filename="../ui/panels/pruning_panel.cpp" line="71"/>
        <source>FFN neurons to remove (fraction):</source>
        <translation>移除的 FFN 神经元（比例）：</translation>
    </message>
    <message>
        <location filename="../ui/panels/pruning_panel.cpp" line="72"/>
        <source>Fine-tuning epochs:</source>
        <translation>微调轮数：</translation>
    </message>
    <message>
        <location filename="../ui/panels/pruning_panel.cpp" line="73"/>
        <source>Progressive schedule</source>
        <translation>渐进式调度</translation>
    </message>
    <message>
        <location filename="../ui/panels/pruning_panel.cpp" line="75"/>
        <source>Initial sparsity:</source>
        <translation>初始稀疏度：</translation>
    </message>
    <message>
        <location filename="../ui/panels/pruning_panel.cpp" line="76"/>
        <source>Final sparsity:</source>
        <translation>最终稀疏度：</translation>
    </message>
    <message>
        <location filename="../ui/panels/pruning_panel.cpp" line="77"/>
        <source>Iterations:</source>
        <translation>迭代次数：</translation>
    </message>
    <message>
        <location filename="../ui/panels/pruning_panel.cpp" line="78"/>
        <source>Schedule:</source>
        <translation>调度方式：</translation>
    </message>
    <message>
        <location filename="../ui/panels/pruning_panel.cpp" line="89"/>
        <source>Schedule preview</source>
        <translation>调度预览</translation>
    </message>
    <message>
        <location filename="../ui/panels/pruning_panel.cpp" line="94"/>
        <source>iteration</source>
        <translation>迭代</translation>
    </message>
    <message>
        <location filename="../ui/panels/pruning_panel.cpp" line="95"/>
        <source>target sparsity</source>
        <translation>目标稀疏度</translation>
    </message>
    <message>
        <location filename="../ui/panels/pruning_panel.cpp" line="114"/>
        <source>No pruning runs in this project yet: run one to see its heatmaps.</source>
        <translation>此项目中还没有剪枝运行：运行一次即可查看其热力图。</translation>
    </message>
    <message>
        <location filename="../ui/panels/pruning_panel.cpp" line="119"/>
        <source>Head importance of:</source>
        <translation>查看注意力头重要性：</translation>
    </message>
    <message>
        <location filename="../ui/panels/pruning_panel.cpp" line="137"/>
        <source>Head importance</source>
        <translation>注意力头重要性</translation>
    </message>
    <message>
        <location filename="../ui/panels/pruning_panel.cpp" line="138"/>
        <source>Per-layer sparsity</source>
        <translation>逐层稀疏度</translation>
    </message>
    <message>
        <location filename="../ui/panels/pruning_panel.cpp" line="299"/>
        <source>× = removed</source>
        <translation>× = 已移除</translation>
    </message>
    <message>
        <location filename="../ui/panels/pruning_panel.cpp" line="43"/>
        <source>1×1 (single weights)</source>
        <translation>1×1（单个权重）</translation>
    </message>
    <message>
        <location filename="../ui/panels/pruning_panel.cpp" line="44"/>
        <source>1×4 (4 inputs: fastest with int8)</source>
        <translation>1×4（4 个输入：int8 最快）</translation>
    </message>
    <message>
        <location filename="../ui/panels/pruning_panel.cpp" line="45"/>
        <source>4×1 (4 outputs)</source>
        <translation>4×1（4 个输出）</translation>
    </message>
    <message>
        <location filename="../ui/panels/pruning_panel.cpp" line="46"/>
        <source>16×1 (16 outputs)</source>
        <translation>16×1（16 个输出）</translation>
    </message>
    <message>
        <location filename="../ui/panels/pruning_panel.cpp" line="47"/>
        <source>32×1 (32 outputs)</source>
        <translation>32×1（32 个输出）</translation>
    </message>
    <message>
        <location filename="../ui/panels/pruning_panel.cpp" line="49"/>
        <source>Weights removed together (outputs × inputs). Layers sparse enough run on the sparse kernels in inference; 1×4 blocks let the int8 kernel skip whole instructions.</source>
        <translation>一起移除的权重块（输出 × 输入）。足够稀疏的层在推理时使用稀疏内核；1×4 块让 int8 内核整条跳过指令。</translation>
    </message>
    <message>
        <location filename="../ui/panels/pruning_panel.cpp" line="69"/>
        <source>Block:</source>
        <translation>块形状：</translation>
    </message>
</context>
<context>
    <name>tpq::ui::QuantizationPanel</name>
    <message>
        <location filename="../ui/panels/quantization_panel.cpp" line="35"/>
        <source>Dynamic int8 (post-training)</source>
        <translation>动态 int8（训练后）</translation>
    </message>
    <message>
        <location filename="../ui/panels/quantization_panel.cpp" line="36"/>
        <source>Static int8 (calibrated)</source>
        <translation>静态 int8（校准）</translation>
    </message>
    <message>
        <location filename="../ui/panels/quantization_panel.cpp" line="37"/>
        <source>Quantization-aware training</source>
        <translation>量化感知训练</translation>
    </message>
    <message>
        <location filename="../ui/panels/quantization_panel.cpp" line="38"/>
        <location filename="../ui/panels/quantization_panel.cpp" line="67"/>
        <source>Mixed precision</source>
        <translation>混合精度</translation>
    </message>
    <message>
        <location filename="../ui/panels/quantization_panel.cpp" line="43"/>
        <source>One scale per output channel</source>
        <translation>每个输出通道一个缩放因子</translation>
    </message>
    <message>
        <location filename="../ui/panels/quantization_panel.cpp" line="44"/>
        <source>Store embedding tables as int8</source>
        <translation>以 int8 存储嵌入表</translation>
    </message>
    <message>
        <location filename="../ui/panels/quantization_panel.cpp" line="56"/>
        <source>Reset from Sensitivity</source>
        <translation>按敏感度重置</translation>
    </message>
    <message>
        <location filename="../ui/panels/quantization_panel.cpp" line="57"/>
        <source>Run Quantization</source>
        <translation>运行量化</translation>
    </message>
    <message>
        <location filename="../ui/panels/quantization_panel.cpp" line="60"/>
        <source>Method</source>
        <translation>方法</translation>
    </message>
    <message>
        <location filename="../ui/panels/quantization_panel.cpp" line="62"/>
        <source>Method:</source>
        <translation>方法：</translation>
    </message>
    <message>
        <location filename="../ui/panels/quantization_panel.cpp" line="63"/>
        <source>Observer (static):</source>
        <translation>观察器（静态）：</translation>
    </message>
    <message>
        <location filename="../ui/panels/quantization_panel.cpp" line="64"/>
        <source>Calibration batches:</source>
        <translation>校准批次数：</translation>
    </message>
    <message>
        <location filename="../ui/panels/quantization_panel.cpp" line="69"/>
        <source>Most sensitive layers kept (top k):</source>
        <translation>保留的最敏感层数（top k）：</translation>
    </message>
    <message>
        <location filename="../ui/panels/quantization_panel.cpp" line="70"/>
        <source>Their precision:</source>
        <translation>其精度：</translation>
    </message>
    <message>
        <location filename="../ui/panels/quantization_panel.cpp" line="71"/>
        <source>int4 group size:</source>
        <translation>int4 分组大小：</translation>
    </message>
    <message>
        <location filename="../ui/panels/quantization_panel.cpp" line="92"/>
        <source>Layer</source>
        <translation>层</translation>
    </message>
    <message>
        <location filename="../ui/panels/quantization_panel.cpp" line="92"/>
        <source>Precision</source>
        <translation>精度</translation>
    </message>
    <message>
        <location filename="../ui/panels/quantization_panel.cpp" line="92"/>
        <source>Weights</source>
        <translation>权重数</translation>
    </message>
    <message>
        <location filename="../ui/panels/quantization_panel.cpp" line="95"/>
        <source>Open a project with a trained model to estimate sizes.</source>
        <translation>打开包含已训练模型的项目以估算大小。</translation>
    </message>
    <message>
        <location filename="../ui/panels/quantization_panel.cpp" line="100"/>
        <source>Per-layer precision:</source>
        <translation>逐层精度：</translation>
    </message>
    <message>
        <location filename="../ui/panels/quantization_panel.cpp" line="309"/>
        <source>Train the baseline (or open a project with a trained model) to estimate sizes.</source>
        <translation>请训练基线模型（或打开包含已训练模型的项目）以估算大小。</translation>
    </message>
    <message>
        <location filename="../ui/panels/quantization_panel.cpp" line="318"/>
        <source>Estimated size: %1 MB (fp32: %2 MB, %3x smaller). Layers: %4.</source>
        <translation>估算大小：%1 MB（fp32：%2 MB，缩小 %3 倍）。各层：%4。</translation>
    </message>
    <message>
        <location filename="../ui/panels/quantization_panel.cpp" line="257"/>
        <location filename="../ui/panels/quantization_panel.cpp" line="325"/>
        <source>bf16 is emulated on this CPU: slower than fp32.</source>
        <translation>此 CPU 上的 bf16 为软件模拟：比 fp32 更慢。</translation>
    </message>
    <message>
        <location filename="../ui/panels/quantization_panel.cpp" line="52"/>
        <source>Run changed layers as &quot;custom&quot;</source>
        <translation>修改过的层作为 &quot;custom&quot; 运行</translation>
    </message>
    <message>
        <location filename="../ui/panels/quantization_panel.cpp" line="54"/>
        <source>The layers you change in the table run as the extra &quot;custom&quot; mixed-precision setting</source>
        <translation>表中修改过的层作为额外的 &quot;custom&quot; 混合精度设置运行</translation>
    </message>
    <message>
        <location filename="../ui/panels/quantization_panel.cpp" line="229"/>
        <source>layer alone in int8</source>
        <translation>仅该层 int8</translation>
    </message>
    <message>
        <location filename="../ui/panels/quantization_panel.cpp" line="229"/>
        <source>layer alone in int4</source>
        <translation>仅该层 int4</translation>
    </message>
    <message>
        <location filename="../ui/panels/quantization_panel.cpp" line="88"/>
        <source>Layer sensitivity</source>
        <translation>层敏感度</translation>
    </message>
    <message>
        <location filename="../ui/panels/quantization_panel.cpp" line="211"/>
        <source>Run a mixed-precision variant
to measure it</source>
        <translation>运行一个混合精度变体
即可测得</translation>
    </message>
    <message>
        <location filename="../ui/panels/quantization_panel.cpp" line="230"/>
        <source>validation loss change</source>
        <translation>验证损失变化</translation>
    </message>
</context>
<context>
    <name>tpq::ui::ResultsPanel</name>
    <message>
        <source>%1 %2</source>
        <comment>a count of variants and their state: 3 finished</comment>
        <translation>%1 个%2</translation>
    </message>
    <message>
        <source>#</source>
        <translation>#</translation>
    </message>
    <message>
        <source>Variant</source>
        <translation>变体</translation>
    </message>
    <message>
        <source>State</source>
        <translation>状态</translation>
    </message>
    <message>
        <source>Run ids</source>
        <translation>运行 ID</translation>
    </message>
    <message>
        <source>Job</source>
        <translation>作业</translation>
    </message>
    <message>
        <source>Log</source>
        <translation>日志</translation>
    </message>
    <message>
        <source>Each variant of the project: refreshed when the project file changes (other tpq processes, Slurm jobs) and, while jobs run, from squeue. Double-click a log to open it.</source>
        <translation>项目的每个变体：项目文件变化时（其他 tpq 进程、Slurm 作业）刷新，作业运行期间还会通过 squeue 刷新。双击日志可打开。</translation>
    </message>
    <message>
        <source>Runs</source>
        <translation>运行</translation>
    </message>
    <message>
        <source>Double-click to open the log</source>
        <translation>双击打开日志</translation>
    </message>
    <message>
        <source>Variants: %1.</source>
        <translation>变体：%1。</translation>
    </message>
    <message>
        <source>Variants</source>
        <translation>变体</translation>
    </message>
    <message>
        <source>pending</source>
        <translation>待运行</translation>
    </message>
    <message>
        <source>queued</source>
        <translation>排队中</translation>
    </message>
    <message>
        <source>running</source>
        <translation>运行中</translation>
    </message>
    <message>
        <source>failed</source>
        <translation>失败</translation>
    </message>
    <message>
        <source>cancelled</source>
        <translation>已取消</translation>
    </message>
    <message>
        <source>finished</source>
        <translation>已完成</translation>
    </message>
    <message>
        <source>stale</source>
        <translation>已过时</translation>
    </message>
    <message numerus="yes">
        <source>Variants (%n failed)</source>
        <translation>
            <numerusform>变体（%n 个失败）</numerusform>
        </translation>
    </message>
    <message>
        <location filename="../ui/panels/results_panel.cpp" line="63"/>
        <source>Open a results folder or a project (File menu) to compare its runs.</source>
        <translation>打开结果文件夹或项目（“文件”菜单）以比较其中的运行。</translation>
    </message>
    <message>
        <location filename="../ui/panels/results_panel.cpp" line="67"/>
        <source>Select a run to see its confusion matrix and training history.</source>
        <translation>选择一个运行以查看其混淆矩阵和训练历史。</translation>
    </message>
    <message>
        <location filename="../ui/panels/results_panel.cpp" line="93"/>
        <source>Export Model...</source>
        <translation>导出模型...</translation>
    </message>
    <message>
        <location filename="../ui/panels/results_panel.cpp" line="99"/>
        <source>Export Results CSV...</source>
        <translation>导出结果 CSV...</translation>
    </message>
    <message>
        <location filename="../ui/panels/results_panel.cpp" line="127"/>
        <source>Method: %1</source>
        <translation>方法：%1</translation>
    </message>
    <message>
        <location filename="../ui/panels/results_panel.cpp" line="128"/>
        <source>Accuracy %1%, F1 %2</source>
        <translation>准确率 %1%，F1 %2</translation>
    </message>
    <message>
        <location filename="../ui/panels/results_panel.cpp" line="130"/>
        <source>Confusion matrix</source>
        <translation>混淆矩阵</translation>
    </message>
    <message>
        <location filename="../ui/panels/results_panel.cpp" line="130"/>
        <source>(rows: true, columns: predicted)</source>
        <translation>（行：真实类别，列：预测类别）</translation>
    </message>
    <message>
        <location filename="../ui/panels/results_panel.cpp" line="140"/>
        <source>History</source>
        <translation>历史</translation>
    </message>
    <message>
        <location filename="../ui/panels/results_panel.cpp" line="141"/>
        <source>epoch</source>
        <translation>轮次</translation>
    </message>
    <message>
        <location filename="../ui/panels/results_panel.cpp" line="141"/>
        <source>train loss</source>
        <translation>训练损失</translation>
    </message>
    <message>
        <location filename="../ui/panels/results_panel.cpp" line="141"/>
        <source>val accuracy</source>
        <translation>验证准确率</translation>
    </message>
    <message numerus="yes">
        <location filename="../ui/panels/results_panel.cpp" line="171"/>
        <source>%n run(s) in %1</source>
        <translation>
            <numerusform>%1 中有 %n 个运行</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <location filename="../ui/panels/results_panel.cpp" line="172"/>
        <source> (%n skipped, see the log)</source>
        <translation>
            <numerusform> （已跳过 %n 个，详见日志）</numerusform>
        </translation>
    </message>
    <message>
        <location filename="../ui/panels/results_panel.cpp" line="207"/>
        <source>Accuracy</source>
        <translation>准确率</translation>
    </message>
    <message>
        <location filename="../ui/panels/results_panel.cpp" line="208"/>
        <source>F1</source>
        <translation>F1</translation>
    </message>
    <message>
        <location filename="../ui/panels/results_panel.cpp" line="209"/>
        <source>Size</source>
        <translation>大小</translation>
    </message>
    <message>
        <location filename="../ui/panels/results_panel.cpp" line="210"/>
        <source>Latency</source>
        <translation>延迟</translation>
    </message>
    <message>
        <location filename="../ui/panels/results_panel.cpp" line="211"/>
        <source>Sparsity vs accuracy</source>
        <translation>稀疏度与准确率</translation>
    </message>
    <message>
        <location filename="../ui/panels/results_panel.cpp" line="212"/>
        <source>Accuracy vs latency</source>
        <translation>准确率与延迟</translation>
    </message>
    <message>
        <location filename="../ui/panels/results_panel.cpp" line="215"/>
        <source>Training curves</source>
        <translation>训练曲线</translation>
    </message>
    <message>
        <location filename="../ui/panels/results_panel.cpp" line="109"/>
        <source>Export This Plot PNG...</source>
        <translation>导出此图表 PNG...</translation>
    </message>
    <message>
        <location filename="../ui/panels/results_panel.cpp" line="249"/>
        <source>no chart to export: open a results folder first</source>
        <translation>没有可导出的图表：请先打开结果文件夹</translation>
    </message>
    <message>
        <location filename="../ui/panels/results_panel.cpp" line="251"/>
        <source>cannot write %1: check that the folder is writable</source>
        <translation>无法写入 %1：请检查文件夹是否可写</translation>
    </message>
    <message>
        <location filename="../ui/panels/results_panel.cpp" line="174"/>
        <source>Grey rows were made from an older baseline: Run &gt; Start runs them again.</source>
        <translation>灰色行由旧的基线生成：运行 &gt; 开始会重新运行它们。</translation>
    </message>
    <message>
        <location filename="../ui/panels/results_panel.cpp" line="183"/>
        <source>No runs yet: Run &gt; Start (F5) runs the project&apos;s variants.</source>
        <translation>还没有运行：运行 &gt; 开始（F5）运行项目的各个变体。</translation>
    </message>
    <message>
        <location filename="../ui/panels/results_panel.cpp" line="236"/>
        <source>no runs to export: open a project or a results folder with finished runs first</source>
        <translation>没有可导出的运行：请先打开含已完成运行的项目或结果文件夹</translation>
    </message>
    <message>
        <location filename="../ui/panels/results_panel.cpp" line="92"/>
        <source>Open Model Folder</source>
        <translation>打开模型文件夹</translation>
    </message>
    <message>
        <location filename="../ui/panels/results_panel.cpp" line="95"/>
        <source>Delete Run...</source>
        <translation>删除运行...</translation>
    </message>
    <message>
        <location filename="../ui/panels/results_panel.cpp" line="111"/>
        <source>Reset Zoom (double-click)</source>
        <translation>复原缩放（双击）</translation>
    </message>
</context>
<context>
    <name>tpq::ui::ResultsTableModel</name>
    <message>
        <location filename="../ui/results_table_model.cpp" line="65"/>
        <source>Run</source>
        <translation>运行</translation>
    </message>
    <message>
        <location filename="../ui/results_table_model.cpp" line="67"/>
        <source>Method</source>
        <translation>方法</translation>
    </message>
    <message>
        <location filename="../ui/results_table_model.cpp" line="69"/>
        <source>Weights</source>
        <translation>权重</translation>
    </message>
    <message>
        <location filename="../ui/results_table_model.cpp" line="71"/>
        <source>Accuracy</source>
        <translation>准确率</translation>
    </message>
    <message>
        <location filename="../ui/results_table_model.cpp" line="73"/>
        <source>F1</source>
        <translation>F1</translation>
    </message>
    <message>
        <location filename="../ui/results_table_model.cpp" line="75"/>
        <source>Drop (points)</source>
        <translation>下降（百分点）</translation>
    </message>
    <message>
        <location filename="../ui/results_table_model.cpp" line="77"/>
        <source>Sparsity</source>
        <translation>稀疏度</translation>
    </message>
    <message>
        <location filename="../ui/results_table_model.cpp" line="79"/>
        <source>Non-zero params</source>
        <translation>非零参数</translation>
    </message>
    <message>
        <location filename="../ui/results_table_model.cpp" line="81"/>
        <source>Size (MB)</source>
        <translation>大小（MB）</translation>
    </message>
    <message>
        <location filename="../ui/results_table_model.cpp" line="83"/>
        <source>Compression</source>
        <translation>压缩比</translation>
    </message>
    <message>
        <location filename="../ui/results_table_model.cpp" line="85"/>
        <source>p50 (ms)</source>
        <translation>p50（ms）</translation>
    </message>
    <message>
        <location filename="../ui/results_table_model.cpp" line="87"/>
        <source>Batch-1 p50 (ms)</source>
        <translation>批大小 1 p50（ms）</translation>
    </message>
    <message>
        <location filename="../ui/results_table_model.cpp" line="89"/>
        <source>Speedup</source>
        <translation>加速比</translation>
    </message>
    <message>
        <location filename="../ui/results_table_model.cpp" line="100"/>
        <source>Made from an older baseline: the baseline was trained again since. Run &gt; Start runs it again.</source>
        <translation>由旧的基线生成：基线之后已重新训练。运行 &gt; 开始会重新运行它。</translation>
    </message>
    <message>
        <location filename="../ui/results_table_model.cpp" line="141"/>
        <source> (stale)</source>
        <translation>（已过期）</translation>
    </message>
</context>
</TS>
