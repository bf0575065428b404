"""The DAG file's structure, checked without Airflow: stdlib unittest only.

Minimal stand-ins for the Airflow names the DAG file imports (DAG, TaskGroup, Variable, Param, SparkSubmitOperator)
are put in sys.modules; they record what the DAG file builds (task ids, >> dependencies, keyword arguments), and
the templated fields are rendered the way Airflow renders ``{{ params.x }}``. Run with
``python3 deploy/airflow/test_dag_structure.py``; the jobs module's AirflowDagTest runs it in ``mvn test``.
Airflow itself is not exercised: these stand-ins only check what the file asks of it.
"""

import contextlib
import importlib.util
import inspect
import os
import re
import sys
import types
import unittest
from datetime import timedelta

HERE = os.path.dirname(os.path.abspath(__file__))
DAG_FILE = os.path.join(HERE, "tinybert_task_distill_dag.py")
sys.path.insert(0, HERE)

import tinybert_dag_args as dag_args  # noqa: E402

# SparkSubmitOperator's keyword arguments and template fields (apache-airflow-providers-apache-spark 4.x), and the
# BaseOperator arguments the DAG may pass; anything else would be a TypeError in Airflow.
SPARK_SUBMIT_ARGS = {
    "application", "conf", "conn_id", "files", "py_files", "archives", "driver_class_path", "jars", "java_class",
    "packages", "exclude_packages", "repositories", "total_executor_cores", "executor_cores", "executor_memory",
    "driver_memory", "keytab", "principal", "proxy_user", "name", "num_executors", "status_poll_interval",
    "application_args", "env_vars", "verbose", "spark_binary", "properties_file", "use_krb5ccache",
}
BASE_OPERATOR_ARGS = {"task_id", "retries", "retry_delay", "doc_md", "pool", "execution_timeout"}
TEMPLATE_FIELDS = ("application", "conf", "files", "py_files", "jars", "driver_class_path", "packages",
                   "exclude_packages", "keytab", "principal", "proxy_user", "name", "application_args", "env_vars",
                   "properties_file")

NOTSET = object()

SAMPLE_VARIABLES = {
    "tinybert_tasks": '["mnli", "sts-b", "sst-2"]',
    "tinybert_spark_conn_id": "spark_yarn",
    "tinybert_spark_conf": '{"spark.executor.instances": "8", "spark.executor.cores": "2", '
                           '"spark.executor.extraJavaOptions": "-XX:+UseG1GC"}',
    "tinybert_retries": "3",
    "tinybert_app_jar": "hdfs:///tinybert/tinybert-app.jar",
    "tinybert_conf_root": "hdfs:///tinybert/conf",
    "tinybert_glue_root": "hdfs:///glue_data/",
    "tinybert_glove": "hdfs:///glove/glove.840B.300d.txt.gz",
    "tinybert_mlm": "hdfs:///models/bert-base-uncased",
    "tinybert_teacher_root": "hdfs:///models/teachers",
    "tinybert_general_student": "hdfs:///models/tinybert4-general",
    "tinybert_output_root": "hdfs:///runs/tinybert",
}


class Recorder:
    """What one import of the DAG file built."""

    def __init__(self, variables):
        self.variables = dict(variables)
        self.variable_gets = []
        self.dags = []
        self.groups = []
        self.operators = {}
        self.dag_stack = []
        self.group_stack = []


def fake_airflow(rec, airflow3):
    """Stand-in modules for the names the DAG file imports, recording into ``rec``."""

    class Variable:
        @staticmethod
        def get(key, default=NOTSET, deserialize_json=False):
            rec.variable_gets.append(key)
            if key in rec.variables:
                return rec.variables[key]
            if default is NOTSET:
                raise KeyError("Variable %s does not exist" % key)
            return default

    class Param:
        def __init__(self, default=NOTSET, description=None, **schema):
            self.value = default
            self.description = description
            self.schema = schema

    class DAG:
        def __init__(self, dag_id, **kwargs):
            self.dag_id = dag_id
            self.kwargs = kwargs
            rec.dags.append(self)

        def __enter__(self):
            rec.dag_stack.append(self)
            return self

        def __exit__(self, *exc):
            rec.dag_stack.pop()

    class TaskGroup:
        def __init__(self, group_id, **kwargs):
            if not rec.dag_stack:
                raise AssertionError("TaskGroup %s outside a DAG" % group_id)
            self.group_id = group_id
            rec.groups.append(self)

        def __enter__(self):
            rec.group_stack.append(self)
            return self

        def __exit__(self, *exc):
            rec.group_stack.pop()

    class SparkSubmitOperator:
        template_fields = TEMPLATE_FIELDS

        def __init__(self, *, task_id, **kwargs):
            unknown = set(kwargs) - SPARK_SUBMIT_ARGS - BASE_OPERATOR_ARGS
            if unknown:
                raise TypeError("SparkSubmitOperator got unexpected keyword arguments %s" % sorted(unknown))
            if not rec.dag_stack:
                raise AssertionError("operator %s outside a DAG" % task_id)
            prefix = "".join(g.group_id + "." for g in rec.group_stack)
            self.task_id = prefix + task_id
            self.kwargs = kwargs
            self.upstream = set()
            if self.task_id in rec.operators:
                raise AssertionError("task id %s used twice" % self.task_id)
            rec.operators[self.task_id] = self

        def __rshift__(self, other):
            other.upstream.add(self.task_id)
            return other

    modules = {
        "airflow": types.ModuleType("airflow"),
        "airflow.providers": types.ModuleType("airflow.providers"),
        "airflow.providers.apache": types.ModuleType("airflow.providers.apache"),
        "airflow.providers.apache.spark": types.ModuleType("airflow.providers.apache.spark"),
        "airflow.providers.apache.spark.operators": types.ModuleType("airflow.providers.apache.spark.operators"),
        "airflow.providers.apache.spark.operators.spark_submit":
            types.ModuleType("airflow.providers.apache.spark.operators.spark_submit"),
    }
    modules["airflow.providers.apache.spark.operators.spark_submit"].SparkSubmitOperator = SparkSubmitOperator
    if airflow3:
        sdk = types.ModuleType("airflow.sdk")
        sdk.DAG, sdk.Param, sdk.TaskGroup, sdk.Variable = DAG, Param, TaskGroup, Variable
        modules["airflow.sdk"] = sdk
    else:
        modules["airflow"].DAG = DAG
        for name in ("airflow.models", "airflow.models.param", "airflow.utils", "airflow.utils.task_group"):
            modules[name] = types.ModuleType(name)
        modules["airflow.models"].Variable = Variable
        modules["airflow.models.param"].Param = Param
        modules["airflow.utils.task_group"].TaskGroup = TaskGroup
    return modules


@contextlib.contextmanager
def installed(modules):
    saved = {name: sys.modules.get(name) for name in modules}
    # Any real airflow modules are hidden too, so the DAG file sees only the stand-ins.
    hidden = {name: mod for name, mod in sys.modules.items() if name == "airflow" or name.startswith("airflow.")}
    for name in hidden:
        del sys.modules[name]
    sys.modules.update(modules)
    try:
        yield
    finally:
        for name in modules:
            if saved[name] is None:
                sys.modules.pop(name, None)
            else:
                sys.modules[name] = saved[name]
        sys.modules.update(hidden)


def load_dag(variables, airflow3=False):
    """Imports the DAG file against stand-ins with these Variables; returns the recorder."""
    rec = Recorder(variables)
    with installed(fake_airflow(rec, airflow3)):
        spec = importlib.util.spec_from_file_location("tinybert_task_distill_dag_under_test", DAG_FILE)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
    rec.module = module
    return rec


def render(value, params):
    """Airflow's rendering of a templated field, for the one form the DAG uses: ``{{ params.name.rstrip('/') }}``."""
    if isinstance(value, str):
        if "{%" in value or "{#" in value:
            raise AssertionError("unexpected Jinja in %r" % value)
        out = re.sub(r"\{\{ params\.(\w+)\.rstrip\('/'\) \}\}", lambda m: params[m.group(1)].rstrip("/"), value)
        if "{{" in out:
            raise AssertionError("unrendered template in %r" % value)
        return out
    if isinstance(value, list):
        return [render(v, params) for v in value]
    if isinstance(value, dict):
        return {k: render(v, params) for k, v in value.items()}
    return value


def rendered(op, params):
    """The operator's keyword arguments as a run with these param values would submit them."""
    return {k: render(v, params) if k in TEMPLATE_FIELDS else v for k, v in op.kwargs.items()}


def param_defaults(rec):
    return {k: p.value for k, p in rec.dags[0].kwargs["params"].items()}


def sample_settings(variables=SAMPLE_VARIABLES):
    return dag_args.resolve({k[len("tinybert_"):]: v for k, v in variables.items()})


class DagStructureTest(unittest.TestCase):
    def setUp(self):
        self.rec = load_dag(SAMPLE_VARIABLES)

    def test_one_group_per_task_with_four_steps_in_order(self):
        self.assertEqual(1, len(self.rec.dags))
        self.assertEqual("tinybert_task_distill", self.rec.dags[0].dag_id)
        self.assertEqual(["mnli", "sts-b", "sst-2"], [g.group_id for g in self.rec.groups])
        expected = {}
        for task in ("mnli", "sts-b", "sst-2"):
            ids = ["%s.%s" % (task, step) for step in ("augment", "intermediate", "prediction", "evaluate")]
            for i, task_id in enumerate(ids):
                expected[task_id] = {ids[i - 1]} if i > 0 else set()
        self.assertEqual(expected, {t: op.upstream for t, op in self.rec.operators.items()})

    def test_dag_runs_one_at_a_time_on_demand_with_retries(self):
        kw = self.rec.dags[0].kwargs
        self.assertEqual(1, kw["max_active_runs"], "runs share their outputs")
        self.assertIsNone(kw["schedule"])
        self.assertFalse(kw["catchup"])
        self.assertEqual(3, kw["default_args"]["retries"])
        self.assertEqual(timedelta(minutes=10), kw["default_args"]["retry_delay"])

    def test_every_variable_is_read_with_a_default(self):
        self.assertEqual(sorted("tinybert_" + k for k in dag_args.SETTING_KEYS), sorted(self.rec.variable_gets))

    def test_operators_submit_the_jar_with_the_connection_and_spark_settings(self):
        for task_id, op in self.rec.operators.items():
            kw = op.kwargs
            self.assertEqual("spark_yarn", kw["conn_id"], task_id)
            self.assertEqual("org.tinybert.jobs.Main", kw["java_class"], task_id)
            self.assertEqual("{{ params.app_jar.rstrip('/') }}", kw["application"], task_id)
            conf = kw["conf"]
            self.assertEqual("PASSIVE", conf["spark.executorEnv.OMP_WAIT_POLICY"])
            self.assertEqual({"OMP_WAIT_POLICY": "PASSIVE"}, kw["env_vars"])
            # The Variable's Spark properties win over the defaults, and the derived ones follow them.
            self.assertEqual("8", conf["spark.executor.instances"])
            self.assertEqual("2", conf["spark.task.cpus"])
            self.assertEqual("2", conf["spark.executorEnv.OMP_NUM_THREADS"])
            for side in ("driver", "executor"):
                opts = conf["spark.%s.extraJavaOptions" % side].split()
                self.assertIn("--add-opens=java.base/sun.nio.ch=ALL-UNNAMED", opts)
                self.assertIn("-Dorg.bytedeco.javacpp.maxbytes=%d" % (16 << 30), opts)
                # JavaCPP's physical cap counts the heap too: 8g + 16g.
                self.assertIn("-Dorg.bytedeco.javacpp.maxphysicalbytes=%d" % (24 << 30), opts)
            self.assertIn("-XX:+UseG1GC", conf["spark.executor.extraJavaOptions"].split())
            self.assertNotIn("-XX:+UseG1GC", conf["spark.driver.extraJavaOptions"].split())

    def test_rendered_arguments_are_the_args_modules(self):
        params = param_defaults(self.rec)
        self.assertEqual(SAMPLE_VARIABLES["tinybert_output_root"], params["output_root"])
        expected = dag_args.plan(sample_settings())["tasks"]
        for task, steps in expected.items():
            for want in steps:
                got = rendered(self.rec.operators["%s.%s" % (task, want["step"])], params)
                self.assertEqual(want["application_args"], got["application_args"])
                self.assertEqual(want["application"], got["application"])
                self.assertEqual(want["conf"], got["conf"])

    def test_a_run_may_override_the_paths(self):
        params = dict(param_defaults(self.rec), output_root="hdfs:///runs/experiment-2")
        args = rendered(self.rec.operators["mnli.evaluate"], params)["application_args"]
        self.assertEqual("hdfs:///runs/experiment-2/mnli/best", args[args.index("--model") + 1])
        self.assertEqual("hdfs:///runs/experiment-2/mnli/eval.json", args[args.index("--output") + 1])

    def test_the_steps_chain_their_outputs(self):
        params = param_defaults(self.rec)

        def value(task_id, option):
            args = rendered(self.rec.operators[task_id], params)["application_args"]
            return args[args.index(option) + 1]

        for task, glue_dir in (("mnli", "MNLI"), ("sts-b", "STS-B"), ("sst-2", "SST-2")):
            task_dir = "hdfs:///glue_data/" + glue_dir
            self.assertEqual(task_dir + "/train_aug.tsv", value(task + ".augment", "--output"))
            self.assertEqual(task_dir, value(task + ".intermediate", "--task-dir"))
            self.assertEqual(value(task + ".intermediate", "--output") + "/student",
                             value(task + ".prediction", "--student"))
            self.assertEqual(value(task + ".prediction", "--output") + "/best", value(task + ".evaluate", "--model"))
            self.assertEqual("hdfs:///tinybert/conf/task-distill/%s.conf" % task,
                             value(task + ".prediction", "--config"))

    def test_airflow3_layout_builds_the_same_dag(self):
        rec3 = load_dag(SAMPLE_VARIABLES, airflow3=True)
        self.assertEqual(sorted(self.rec.operators), sorted(rec3.operators))
        for task_id, op in self.rec.operators.items():
            self.assertEqual(op.kwargs, rec3.operators[task_id].kwargs)
            self.assertEqual(op.upstream, rec3.operators[task_id].upstream)


FULL_CHAIN_VARIABLES = dict(
    SAMPLE_VARIABLES,
    tinybert_finetune_teacher="true",
    tinybert_infer="yes",
    tinybert_bert_base="hdfs:///models/bert-base-uncased/",
    tinybert_infer_root="hdfs:///tables",
    tinybert_infer_id_column="id",
)


class TaskFilesTest(unittest.TestCase):
    """Task files: a group each after the GLUE tasks, named after the file, every step with --task <file>."""

    def setUp(self):
        variables = dict(SAMPLE_VARIABLES, tinybert_tasks="sst-2",
                         tinybert_task_files='["hdfs:///tinybert/tasks/reviews.conf", "/tasks/scores.conf"]')
        self.rec = load_dag(variables)
        self.params = param_defaults(self.rec)

    def test_groups_and_steps(self):
        self.assertEqual(["sst-2", "reviews", "scores"], [g.group_id for g in self.rec.groups])
        expected = {}
        for task, steps in (("sst-2", ("augment", "intermediate", "prediction", "evaluate")),
                            ("reviews", ("intermediate", "prediction", "evaluate")),
                            ("scores", ("intermediate", "prediction", "evaluate"))):
            ids = ["%s.%s" % (task, step) for step in steps]
            for i, task_id in enumerate(ids):
                expected[task_id] = {ids[i - 1]} if i > 0 else set()
        self.assertEqual(expected, {t: op.upstream for t, op in self.rec.operators.items()})

    def test_every_step_names_the_task_file_and_no_glue_directory(self):
        for task_id, op in self.rec.operators.items():
            if not task_id.startswith("reviews."):
                continue
            args = rendered(op, self.params)["application_args"]
            self.assertEqual("hdfs:///tinybert/tasks/reviews.conf", args[args.index("--task") + 1], task_id)
            self.assertNotIn("--task-dir", args, task_id)
            self.assertNotIn("--config", args, task_id)

    def test_task_file_augment_writes_the_files_train_aug_before_distillation(self):
        rec = load_dag(dict(SAMPLE_VARIABLES, tinybert_tasks="", tinybert_task_files='["/tasks/reviews.conf"]',
                            tinybert_task_file_augment="true"))
        self.assertEqual({"reviews.augment": set(), "reviews.intermediate": {"reviews.augment"},
                          "reviews.prediction": {"reviews.intermediate"}, "reviews.evaluate": {"reviews.prediction"}},
                         {t: op.upstream for t, op in rec.operators.items()})
        args = rendered(rec.operators["reviews.augment"], param_defaults(rec))["application_args"]
        self.assertEqual("augment", args[0])
        self.assertEqual("/tasks/reviews.conf", args[args.index("--task") + 1])
        self.assertNotIn("--output", args)
        self.assertNotIn("--input", args)
        with self.assertRaisesRegex(dag_args.SettingsError, "task_file_augment"):
            dag_args.resolve({"task_files": "/t/x.conf", "task_file_augment": "maybe"})

    def test_task_files_are_checked(self):
        with self.assertRaisesRegex(dag_args.SettingsError, "same name"):
            dag_args.resolve({"task_files": "a/x.conf,b/x.conf"})
        with self.assertRaisesRegex(dag_args.SettingsError, "named like GLUE tasks"):
            dag_args.resolve({"tasks": "mnli", "task_files": "/t/mnli.conf"})
        with self.assertRaisesRegex(dag_args.SettingsError, "non-empty list"):
            dag_args.resolve({"tasks": "", "task_files": []})
        self.assertEqual([], dag_args.resolve({"tasks": "", "task_files": "/t/x.conf"})["tasks"])


class OptionalStepsTest(unittest.TestCase):
    """finetune-teacher before the chain and infer after it, when their Variables switch them on."""

    def setUp(self):
        self.rec = load_dag(FULL_CHAIN_VARIABLES)
        self.params = param_defaults(self.rec)

    def value(self, task_id, option):
        args = rendered(self.rec.operators[task_id], self.params)["application_args"]
        return args[args.index(option) + 1] if option in args else None

    def test_finetune_teacher_comes_first_and_infer_last(self):
        expected = {}
        for task in ("mnli", "sts-b", "sst-2"):
            ids = ["%s.%s" % (task, step) for step in
                   ("finetune-teacher", "augment", "intermediate", "prediction", "evaluate", "infer")]
            for i, task_id in enumerate(ids):
                expected[task_id] = {ids[i - 1]} if i > 0 else set()
        self.assertEqual(expected, {t: op.upstream for t, op in self.rec.operators.items()})

    def test_distillation_reads_the_fine_tunes_best_and_infer_scores_the_best_student(self):
        for task in ("mnli", "sts-b", "sst-2"):
            teacher = self.value(task + ".finetune-teacher", "--output")
            self.assertEqual("hdfs:///models/teachers/" + task, teacher)
            self.assertEqual("hdfs:///models/bert-base-uncased", self.value(task + ".finetune-teacher", "--model"))
            for step in ("intermediate", "prediction"):
                self.assertEqual(teacher + "/best", self.value("%s.%s" % (task, step), "--teacher"))
            self.assertEqual(self.value(task + ".evaluate", "--model"), self.value(task + ".infer", "--model"))
            self.assertEqual("hdfs:///tables/" + task, self.value(task + ".infer", "--input"))
            self.assertEqual("hdfs:///runs/tinybert/%s/scored" % task, self.value(task + ".infer", "--output"))
            self.assertEqual(task, self.value(task + ".infer", "--task"))
            self.assertEqual("text", self.value(task + ".infer", "--text-column"))
            self.assertEqual("id", self.value(task + ".infer", "--id-column"))
            pair = self.value(task + ".infer", "--text-pair-column")
            self.assertEqual("text_pair" if task in ("mnli", "sts-b") else None, pair, task)

    def test_their_paths_are_params_only_when_their_steps_are_on(self):
        self.assertEqual(sorted(list(dag_args.PATHS) + ["bert_base", "infer_root"]), sorted(self.params))
        self.assertEqual(sorted(dag_args.PATHS), sorted(param_defaults(load_dag(SAMPLE_VARIABLES))))
        only_infer = load_dag(dict(SAMPLE_VARIABLES, tinybert_infer="true", tinybert_infer_root="hdfs:///t"))
        self.assertEqual(sorted(list(dag_args.PATHS) + ["infer_root"]), sorted(param_defaults(only_infer)))
        self.assertEqual("hdfs:///models/teachers/mnli",
                         rendered(only_infer.operators["mnli.intermediate"], param_defaults(only_infer))
                         ["application_args"][8], "without finetune-teacher the teacher is the task's directory")

    def test_rendered_arguments_are_the_args_modules(self):
        expected = dag_args.plan(sample_settings(FULL_CHAIN_VARIABLES))["tasks"]
        for task, steps in expected.items():
            self.assertEqual(6, len(steps))
            for want in steps:
                got = rendered(self.rec.operators["%s.%s" % (task, want["step"])], self.params)
                self.assertEqual(want["application_args"], got["application_args"])

    def test_a_missing_path_or_a_bad_switch_is_named(self):
        with self.assertRaisesRegex(dag_args.SettingsError, "infer_root is not set: Tables to score"):
            dag_args.plan(sample_settings(dict(SAMPLE_VARIABLES, tinybert_infer="true")))
        with self.assertRaisesRegex(dag_args.SettingsError, "bert_base is not set: The BERT to fine-tune"):
            dag_args.plan(sample_settings(dict(SAMPLE_VARIABLES, tinybert_finetune_teacher="1")))
        with self.assertRaisesRegex(dag_args.SettingsError, "infer must be true or false, found 'maybe'"):
            load_dag({"tinybert_infer": "maybe"})


class JinjaRenderingTest(unittest.TestCase):
    @unittest.skipUnless(importlib.util.find_spec("jinja2"), "jinja2 is not installed")
    def test_jinja_renders_the_templates_as_this_test_does(self):
        from jinja2 import StrictUndefined
        from jinja2.sandbox import SandboxedEnvironment

        # Airflow renders templated fields in a sandboxed Jinja environment with the run's params in the context.
        env = SandboxedEnvironment(undefined=StrictUndefined)
        rec = load_dag(SAMPLE_VARIABLES)
        params = param_defaults(rec)
        for task_id, op in rec.operators.items():
            for arg in op.kwargs["application_args"] + [op.kwargs["application"]]:
                self.assertEqual(render(arg, params), env.from_string(arg).render(params=params), task_id)


class WithoutVariablesTest(unittest.TestCase):
    def test_parses_with_defaults_and_asks_each_run_for_the_paths(self):
        rec = load_dag({})
        self.assertEqual(list(dag_args.GLUE_DIRS), [g.group_id for g in rec.groups])
        self.assertEqual(4 * len(dag_args.GLUE_DIRS), len(rec.operators))
        self.assertEqual({"spark_default"}, {op.kwargs["conn_id"] for op in rec.operators.values()})
        params = rec.dags[0].kwargs["params"]
        self.assertEqual(sorted(dag_args.PATHS), sorted(params))
        for key, p in params.items():
            self.assertIs(NOTSET, p.value, key + " has a default without a Variable")
            self.assertEqual("string", p.schema["type"])
            self.assertTrue(p.description)

    def test_a_bad_variable_fails_the_parse_naming_it(self):
        with self.assertRaisesRegex(dag_args.SettingsError, r"tasks: wnli not among"):
            load_dag({"tinybert_tasks": "mnli,wnli"})
        with self.assertRaisesRegex(dag_args.SettingsError, r"spark_conf must be a JSON object"):
            load_dag({"tinybert_spark_conf": "{spark.executor.cores: 2"})
        with self.assertRaisesRegex(dag_args.SettingsError, r"retries must be an integer >= 0, found -1"):
            load_dag({"tinybert_retries": "-1"})
        with self.assertRaisesRegex(dag_args.SettingsError,
                                    r"spark_conf spark.executor.memory must be a size such as 512m or 8g, found '7.5g'"):
            load_dag({"tinybert_spark_conf": '{"spark.executor.memory": "7.5g"}'})


class ArgsModuleTest(unittest.TestCase):
    def test_imports_nothing_from_airflow(self):
        source = inspect.getsource(dag_args)
        self.assertIsNone(re.search(r"^\s*(import|from)\s+airflow", source, re.M))

    def test_tasks_given_as_list_json_or_commas(self):
        for given in (["MNLI", "sts-b"], '["mnli", "sts-b"]', "mnli, sts-b"):
            self.assertEqual(["mnli", "sts-b"], dag_args.resolve({"tasks": given})["tasks"])
        with self.assertRaisesRegex(dag_args.SettingsError, "must not repeat"):
            dag_args.resolve({"tasks": "mnli,mnli"})
        with self.assertRaisesRegex(dag_args.SettingsError, "unknown settings nope"):
            dag_args.resolve({"nope": 1})

    def test_a_missing_path_is_named_when_a_step_is_built(self):
        s = sample_settings(dict(SAMPLE_VARIABLES, tinybert_glove=None))
        with self.assertRaisesRegex(dag_args.SettingsError, "glove is not set: GloVe vectors"):
            dag_args.plan(s)

    def test_trailing_slashes_do_not_double(self):
        s = sample_settings()
        self.assertEqual("hdfs:///glue_data/SST-2", dag_args.task_dir(s, "sst-2"))


if __name__ == "__main__":
    unittest.main(verbosity=2)
