"""What each task of the TinyBERT task-distillation DAG submits, from a plain dict of settings.

Pure Python (standard library only, nothing from Airflow), so tests can call it directly and
``python3 tinybert_dag_args.py SETTINGS.json`` prints every task's spark-submit settings as JSON. The DAG file
(``tinybert_task_distill_dag.py``) reads Airflow Variables and params and turns the result into operators.

Per GLUE task, four spark-submits of the application jar (main class ``org.tinybert.jobs.Main``), in order, with
an optional one before them and another after them (``finetune_teacher`` and ``infer`` switch them on):

    finetune-teacher  (optional) <bert_base> on the task -> <teacher_root>/<task>, teacher <teacher_root>/<task>/best
    augment           <glue_root>/<Task>/train.tsv -> <glue_root>/<Task>/train_aug.tsv (task-distill reads it there)
    intermediate      task-distill --stage intermediate -> <output_root>/<task>/intermediate/student
    prediction        task-distill --stage prediction from that student -> <output_root>/<task>/best (best student)
    evaluate          evaluate <output_root>/<task>/best -> <output_root>/<task>/eval.json
    infer             (optional) that student over the table <infer_root>/<task> -> <output_root>/<task>/scored

Task files (``task_files``: a team's own tasks, see the README's "Your own task") run the same chain in a group
named after each file (its name without extension): every step gets ``--task <file>`` instead of a preset name and
GLUE directory, task-distill runs on the reference settings (no conf/task-distill/ file), and the infer step reads
the text column only. Their augment step is off unless ``task_file_augment`` is true: it writes the table the task
file names as ``train-aug`` (in the format of its train table), which task-distill then trains on, so every task
file must name one (augment refuses a file that does not, naming the key).

Without finetune-teacher the teacher is <teacher_root>/<task> itself, fine-tuned elsewhere; with it, the step
fine-tunes <bert_base> there and task distillation reads its best dev checkpoint. task-distill's two stages are
the layout ``task-distill --stage both`` writes, done as two steps so that each is retried on its own.
Every step is safe to rerun: finetune-teacher returns at once when the teacher holds a finished fine-tune (and
resumes from its last checkpoint otherwise), augment does nothing when its manifest shows the same settings and
inputs, task-distill does nothing when a stage is finished and resumes from its last checkpoint otherwise, evaluate
rewrites eval.json atomically, and infer does nothing over a finished output and scores only the missing parts of
an interrupted one.
"""

import argparse
import json
import re
import sys

# The GLUE tasks with the paper's settings in conf/task-distill/<task>.conf, and each one's directory under the GLUE
# data root, as org.tinybert.glue.GlueTask names them (the jobs module's AirflowDagTest checks that they agree).
GLUE_DIRS = {
    "cola": "CoLA",
    "sst-2": "SST-2",
    "mrpc": "MRPC",
    "sts-b": "STS-B",
    "qqp": "QQP",
    "mnli": "MNLI",
    "qnli": "QNLI",
    "rte": "RTE",
}

STEPS = ("augment", "intermediate", "prediction", "evaluate")

# The optional steps: each is on when its parse-time switch is, and needs its path.
FIRST_STEP = "finetune-teacher"
LAST_STEP = "infer"
OPTIONAL_PATHS = {
    "bert_base": "The BERT to fine-tune into each task's teacher (e.g. bert-base-uncased, Hugging Face layout); "
                 "read by the finetune-teacher step.",
    "infer_root": "Tables to score with each task's distilled student, one per task: <infer_root>/<task>, a file "
                  "or a directory of parts (text, TSV, JSON lines or Parquet); read by the infer step.",
}
OPTIONAL_STEPS = {FIRST_STEP: ("finetune_teacher", "bert_base"), LAST_STEP: ("infer", "infer_root")}

# GLUE tasks of sentence pairs (org.tinybert.glue.GlueTask.isPairTask; AirflowDagTest checks they agree): their
# infer tables have a second text column.
PAIR_TASKS = ("mrpc", "sts-b", "qqp", "mnli", "qnli", "rte")

MAIN_CLASS = "org.tinybert.jobs.Main"

# Paths, rendered when each task runs: DAG params whose defaults come from Airflow Variables, so one run may
# override them. Every one is required; each is any path the Spark driver can read (hdfs://, s3a://, file://).
PATHS = {
    "app_jar": "The application jar built by mvn -Papp-jar package (jobs/target/tinybert-app.jar) for the cluster's "
               "Spark line (Spark 4; add -Pspark-3.5 for Spark 3.5), where spark-submit can read it.",
    "conf_root": "The repository's conf/ directory; task-distill reads --config <conf_root>/task-distill/<task>.conf "
                 "on the driver, so in cluster mode put it on HDFS (hdfs dfs -put conf /tinybert/conf).",
    "glue_root": "GLUE data directory with CoLA/, SST-2/, ...; augment writes train_aug.tsv into each task's "
                 "directory, where task-distill reads it.",
    "glove": "GloVe vectors in their text format, optionally .gz (e.g. glove.840B.300d.txt).",
    "mlm": "BERT masked-LM directory for augmentation (e.g. bert-base-uncased, Hugging Face layout).",
    "teacher_root": "Directory of teachers fine-tuned on each task, one per task: <teacher_root>/<task>.",
    "general_student": "The general TinyBERT to distil from (Hugging Face directory).",
    "output_root": "Where each task's runs go: <output_root>/<task>.",
}

# Read when the DAG file is parsed: they shape the DAG, or SparkSubmitOperator does not template them.
PARSE_TIME_DEFAULTS = {
    "tasks": list(GLUE_DIRS),
    # Task files (any Hadoop paths the Spark driver reads), each a group of its own beside the GLUE tasks.
    "task_files": [],
    "spark_conn_id": "spark_default",
    "spark_conf": {},
    "retries": 2,
    "retry_delay_minutes": 10,
    # The optional steps, and the columns of the infer tables (the pair column for pair tasks only; "" = no id).
    "finetune_teacher": False,
    "infer": False,
    # Task files: augment each one's train table into its train-aug table before task distillation.
    "task_file_augment": False,
    "infer_text_column": "text",
    "infer_text_pair_column": "text_pair",
    "infer_id_column": "",
}

SETTING_KEYS = tuple(PARSE_TIME_DEFAULTS) + tuple(PATHS) + tuple(OPTIONAL_PATHS)

# As deploy/spark/submit.sh has them: Spark's module openings for Java 17, and ND4J's off-heap cap (JavaCPP), which
# equals the executor's memory overhead so that the container counts it.
ADD_OPENS = tuple("--add-opens=java.base/" + p + "=ALL-UNNAMED" for p in (
    "java.lang", "java.lang.invoke", "java.lang.reflect", "java.io", "java.net", "java.nio", "java.util",
    "java.util.concurrent", "java.util.concurrent.atomic", "sun.nio.ch", "sun.nio.cs", "sun.security.action",
    "sun.util.calendar"))

BASE_SPARK_CONF = {
    "spark.executor.instances": "4",
    "spark.executor.cores": "4",
    "spark.executor.memory": "8g",
    "spark.driver.memory": "8g",
    "spark.executor.memoryOverhead": "16g",
    "spark.task.maxFailures": "4",
    # Each averaging round returns every worker's parameters and optimiser state to the driver (up to 1.3 GB per
    # worker for a BERT-base-sized model being fine-tuned), past Spark's default 1g limit on one job's results.
    "spark.driver.maxResultSize": "0",
    # ND4J's OpenMP threads spin while waiting unless told not to, starving Spark's own threads.
    "spark.executorEnv.OMP_WAIT_POLICY": "PASSIVE",
}

# The driver runs ND4J too (dev scoring); SparkSubmitOperator passes env_vars to it in client and cluster mode.
DRIVER_ENV = {"OMP_WAIT_POLICY": "PASSIVE"}


class SettingsError(ValueError):
    """A setting the DAG cannot use; the message names the setting, what it must be and what it is."""


def resolve(values):
    """The settings: PARSE_TIME_DEFAULTS overridden by ``values`` (None = not given), checked.

    ``values`` may give ``tasks`` as a list, a JSON list or comma-separated names, ``spark_conf`` as a dict or a JSON
    object, numbers as numbers or text (Airflow Variables are text). Paths not given stay None.
    """
    unknown = sorted(set(values) - set(SETTING_KEYS))
    if unknown:
        raise SettingsError("unknown settings %s; known: %s" % (", ".join(unknown), ", ".join(SETTING_KEYS)))
    s = dict(PARSE_TIME_DEFAULTS)
    s.update({k: None for k in tuple(PATHS) + tuple(OPTIONAL_PATHS)})
    s.update({k: v for k, v in values.items() if v is not None})
    s["task_files"] = _task_files(s["task_files"])
    s["tasks"] = _tasks(s["tasks"], allow_empty=bool(s["task_files"]))
    clash = sorted(set(s["tasks"]) & set(s["task_files"]))
    if clash:
        raise SettingsError("task_files: %s named like GLUE tasks of tasks; rename the files" % ", ".join(clash))
    s["spark_conf"] = _spark_conf(s["spark_conf"])
    s["retries"] = _int_at_least("retries", s["retries"], 0)
    s["retry_delay_minutes"] = _int_at_least("retry_delay_minutes", s["retry_delay_minutes"], 0)
    if not isinstance(s["spark_conn_id"], str) or not s["spark_conn_id"].strip():
        raise SettingsError("spark_conn_id must be a connection id, found %r" % (s["spark_conn_id"],))
    for k in ("finetune_teacher", "infer", "task_file_augment"):
        s[k] = _bool(k, s[k])
    for k in ("infer_text_column", "infer_text_pair_column"):
        if not isinstance(s[k], str) or not s[k].strip():
            raise SettingsError("%s must be a column name, found %r" % (k, s[k]))
    if not isinstance(s["infer_id_column"], str):
        raise SettingsError("infer_id_column must be a column name or \"\", found %r" % (s["infer_id_column"],))
    for k in tuple(PATHS) + tuple(OPTIONAL_PATHS):
        if s[k] is not None and (not isinstance(s[k], str) or not s[k].strip()):
            raise SettingsError("%s must be a path, found %r" % (k, s[k]))
    return s


def _list(v):
    """A list given as a list, a JSON list or comma-separated text (Airflow Variables are text)."""
    if isinstance(v, str):
        text = v.strip()
        v = json.loads(text) if text.startswith("[") else [t for t in text.split(",") if t.strip()]
    return v


def _task_files(v):
    """{group name: path}: each file's name without its extension names its group (letters, digits, '-', '_')."""
    v = _list(v)
    if not isinstance(v, (list, tuple)):
        raise SettingsError("task_files must be a list of task file paths, found %r" % (v,))
    out = {}
    for path in v:
        if not isinstance(path, str) or not path.strip():
            raise SettingsError("task_files must be a list of task file paths, found %r" % (path,))
        path = path.strip()
        name = path.rstrip("/").rsplit("/", 1)[-1]
        name = name.rsplit(".", 1)[0] if "." in name else name
        if not name or not all(c.isalnum() or c in "-_" for c in name):
            raise SettingsError("task_files: %r must be named with letters, digits, '-' and '_' (its name, without "
                                "extension, names its task group), found %r" % (path, name))
        if name in out:
            raise SettingsError("task_files: %s and %s have the same name %r" % (out[name], path, name))
        out[name] = path
    return out


def _tasks(v, allow_empty=False):
    v = _list(v)
    if not isinstance(v, (list, tuple)) or not v and not allow_empty:
        raise SettingsError("tasks must be a non-empty list of GLUE tasks, found %r" % (v,))
    tasks = [str(t).strip().lower() for t in v]
    bad = [t for t in tasks if t not in GLUE_DIRS]
    if bad:
        raise SettingsError("tasks: %s not among the tasks with paper settings (%s)"
                            % (", ".join(bad), ", ".join(GLUE_DIRS)))
    if len(set(tasks)) != len(tasks):
        raise SettingsError("tasks must not repeat a task, found %s" % ", ".join(tasks))
    return tasks


def _spark_conf(v):
    if isinstance(v, str):
        try:
            v = json.loads(v) if v.strip() else {}
        except ValueError as e:
            raise SettingsError("spark_conf must be a JSON object of Spark properties, found %r: %s" % (v, e))
    if not isinstance(v, dict):
        raise SettingsError("spark_conf must be an object of Spark properties, found %r" % (v,))
    return {str(k): str(x).lower() if isinstance(x, bool) else str(x) for k, x in v.items()}


def _bool(name, v):
    if isinstance(v, bool):
        return v
    text = str(v).strip().lower()
    if text in ("true", "yes", "on", "1"):
        return True
    if text in ("false", "no", "off", "0", ""):
        return False
    raise SettingsError("%s must be true or false, found %r" % (name, v))


def _int_at_least(name, v, low):
    try:
        n = int(v)
    except (TypeError, ValueError):
        raise SettingsError("%s must be an integer >= %d, found %r" % (name, low, v))
    if n < low:
        raise SettingsError("%s must be an integer >= %d, found %d" % (name, low, n))
    return n


def steps(s, task=None):
    """The steps of a task, in order: STEPS (a task file's without augment unless task_file_augment), with the
    optional ones switched on."""
    first = (FIRST_STEP,) if s["finetune_teacher"] else ()
    last = (LAST_STEP,) if s["infer"] else ()
    augmented = task not in s["task_files"] or s["task_file_augment"]
    middle = STEPS if augmented else tuple(x for x in STEPS if x != "augment")
    return first + middle + last


def groups(s):
    """Every task group: the GLUE tasks, then the task files, by name."""
    return list(s["tasks"]) + list(s["task_files"])


def paths(s):
    """The paths the steps read: PATHS, and those of the optional steps that are on. Each is a DAG param."""
    out = dict(PATHS)
    for step, (switch, path) in OPTIONAL_STEPS.items():
        if s[switch]:
            out[path] = OPTIONAL_PATHS[path]
    return out


def join(root, *parts):
    """``root/part/...``, whatever slashes ``root`` ends with."""
    return "/".join([root.rstrip("/")] + [p.strip("/") for p in parts])


def task_dir(s, task):
    return join(s["glue_root"], GLUE_DIRS[task])


def output_dir(s, task):
    return join(s["output_root"], task)


def intermediate_dir(s, task):
    return join(output_dir(s, task), "intermediate")


def teacher_dir(s, task):
    """The task's teacher directory: the fine-tuned teacher itself, or finetune-teacher's output."""
    return join(s["teacher_root"], task)


def teacher(s, task):
    """The teacher task-distill reads: finetune-teacher's best dev checkpoint when that step is on."""
    return join(teacher_dir(s, task), "best") if s["finetune_teacher"] else teacher_dir(s, task)


def application_args(s, task, step):
    """The arguments after the jar: ``<command> --option value ...``, as org.tinybert.jobs.Main parses them."""
    if task in s["task_files"]:
        return _task_file_args(s, task, step)
    glue = task_dir(s, task)
    out = output_dir(s, task)
    distill = ["task-distill", "--config", join(s["conf_root"], "task-distill", task + ".conf"), "--task", task,
               "--task-dir", glue, "--teacher", teacher(s, task)]
    if step == FIRST_STEP:
        return ["finetune-teacher", "--model", join(s["bert_base"]), "--task", task, "--task-dir", glue,
                "--output", teacher_dir(s, task)]
    if step == "augment":
        return ["augment", "--task", task, "--input", join(glue, "train.tsv"), "--glove", s["glove"],
                "--mlm", s["mlm"], "--output", join(glue, "train_aug.tsv"), "--task-variants"]
    if step == "intermediate":
        return distill + ["--student", s["general_student"], "--stage", "intermediate",
                          "--output", intermediate_dir(s, task)]
    if step == "prediction":
        return distill + ["--student", join(intermediate_dir(s, task), "student"), "--stage", "prediction",
                          "--output", out]
    if step == "evaluate":
        return ["evaluate", "--model", join(out, "best"), "--task", task, "--task-dir", glue,
                "--output", join(out, "eval.json")]
    if step == LAST_STEP:
        # --task: the labels' names (TinyBERT's order, which task-distill trains in) and the task's sequence length.
        args = ["infer", "--model", join(out, "best"), "--input", join(s["infer_root"], task),
                "--output", join(out, "scored"), "--task", task, "--text-column", s["infer_text_column"]]
        if task in PAIR_TASKS:
            args += ["--text-pair-column", s["infer_text_pair_column"]]
        if s["infer_id_column"]:
            args += ["--id-column", s["infer_id_column"]]
        return args
    raise ValueError("unknown step %r; steps: %s" % (step, ", ".join((FIRST_STEP,) + STEPS + (LAST_STEP,))))


def _task_file_args(s, task, step):
    """A task file's steps: ``--task <file>``, the task file naming its tables, columns and labels."""
    file = s["task_files"][task]
    out = output_dir(s, task)
    distill = ["task-distill", "--task", file, "--teacher", teacher(s, task)]
    if step == FIRST_STEP:
        return ["finetune-teacher", "--model", join(s["bert_base"]), "--task", file, "--output", teacher_dir(s, task)]
    if step == "augment":
        # No --input or --output: the task file's train table in, its train-aug table out.
        return ["augment", "--task", file, "--glove", s["glove"], "--mlm", s["mlm"]]
    if step == "intermediate":
        return distill + ["--student", s["general_student"], "--stage", "intermediate",
                          "--output", intermediate_dir(s, task)]
    if step == "prediction":
        return distill + ["--student", join(intermediate_dir(s, task), "student"), "--stage", "prediction",
                          "--output", out]
    if step == "evaluate":
        return ["evaluate", "--model", join(out, "best"), "--task", file, "--output", join(out, "eval.json")]
    if step == LAST_STEP:
        # No --task: the student's config.json names its labels (id2label), as every model trained on a task file.
        args = ["infer", "--model", join(out, "best"), "--input", join(s["infer_root"], task),
                "--output", join(out, "scored"), "--text-column", s["infer_text_column"]]
        if s["infer_id_column"]:
            args += ["--id-column", s["infer_id_column"]]
        return args
    raise ValueError("no step %r for task file %s; steps: %s" % (step, file, ", ".join(steps(s, task))))


def spark_conf(s):
    """Spark properties of every submit: BASE_SPARK_CONF, then the user's spark_conf, then what follows from them.

    One training task per executor (spark.task.cpus = executor cores; ND4J's threads use the cores), as
    deploy/spark/submit.sh does. Java options the user gives are appended to the required ones, not put in their place.
    """
    user = s["spark_conf"]
    conf = dict(BASE_SPARK_CONF)
    conf.update({k: v for k, v in user.items() if not k.endswith(".extraJavaOptions")})
    cores = conf["spark.executor.cores"]
    offheap = _spark_bytes(conf, "spark.executor.memoryOverhead")
    conf.setdefault("spark.task.cpus", cores)
    conf.setdefault("spark.executorEnv.OMP_NUM_THREADS", cores)
    for side in ("driver", "executor"):
        # JavaCPP's maxphysicalbytes caps the whole process's resident memory, the Java heap included (heap plus
        # ND4J's off-heap), as deploy/spark/submit.sh sets it; both in bytes (JavaCPP reads a plain number as bytes,
        # Spark as MiB).
        physical = _spark_bytes(conf, "spark.%s.memory" % side) + offheap
        nd4j = ("-Dorg.bytedeco.javacpp.maxbytes=%d" % offheap, "-Dorg.bytedeco.javacpp.maxphysicalbytes=%d" % physical)
        key = "spark.%s.extraJavaOptions" % side
        conf[key] = " ".join(ADD_OPENS + nd4j + ((user[key],) if key in user else ()))
    return conf


_SIZE_SHIFT = {"k": 10, "m": 20, "g": 30, "t": 40}


def _spark_bytes(conf, key):
    """Bytes of a Spark memory size in conf[key] (512m, 8g, 1t; a plain number is MiB, as Spark reads these keys)."""
    m = re.fullmatch(r"([0-9]+)([kmgt]?)b?", conf[key].strip().lower())
    if not m:
        raise SettingsError("spark_conf %s must be a size such as 512m or 8g, found %r" % (key, conf[key]))
    return int(m.group(1)) << _SIZE_SHIFT.get(m.group(2), 20)


def submit(s, task, step):
    """SparkSubmitOperator's keyword arguments for one step of one task (task_id relative to the task's group)."""
    needed = paths(s)
    for k in needed:
        if s[k] is None:
            raise SettingsError("%s is not set: %s" % (k, needed[k]))
    return {
        "task_id": step,
        "conn_id": s["spark_conn_id"],
        "application": s["app_jar"],
        "java_class": MAIN_CLASS,
        "name": "tinybert-%s-%s" % (task, step),
        "conf": spark_conf(s),
        "env_vars": dict(DRIVER_ENV),
        "application_args": application_args(s, task, step),
    }


def group_id(task):
    """The TaskGroup of a GLUE task or task file (names are valid Airflow ids: letters, digits, '-', '_')."""
    return task


def plan(s):
    """Every task's steps, in order: {"tasks": {task: [submit(...) for each step]}}."""
    return {"tasks": {t: [dict(submit(s, t, step), step=step, group_id=group_id(t)) for step in steps(s, t)]
                      for t in groups(s)}}


def main(argv):
    p = argparse.ArgumentParser(description="Prints, as JSON, the spark-submit settings of every task of the TinyBERT "
                                            "task-distillation DAG for the settings in a JSON file (keys: "
                                            + ", ".join(SETTING_KEYS) + ").")
    p.add_argument("settings", help="JSON file of settings; - for standard input")
    a = p.parse_args(argv)
    with (sys.stdin if a.settings == "-" else open(a.settings, encoding="utf-8")) as f:
        values = json.load(f)
    try:
        print(json.dumps(plan(resolve(values)), indent=1))
    except SettingsError as e:
        print("tinybert_dag_args: " + str(e), file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
