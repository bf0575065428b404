"""TinyBERT task distillation of several GLUE tasks and task files, as Spark jobs submitted by Airflow.

For each GLUE task (one TaskGroup each; the groups run independently): [finetune-teacher ->] augment ->
task-distill intermediate -> task-distill prediction -> evaluate [-> infer], each a SparkSubmitOperator running the
application jar
(``mvn -q -B -Papp-jar package -DskipTests`` writes ``jobs/target/tinybert-app.jar``). What each step submits is
built by ``tinybert_dag_args.py`` beside this file; see its docstring for the paths each step reads and writes.

Airflow Variables (all optional; names are ``tinybert_`` + the setting):

- read when the DAG is parsed: ``tinybert_tasks`` (JSON list or comma-separated; default: the eight tasks of
  conf/task-distill/), ``tinybert_task_files`` (task files, a team's own tasks: JSON list or comma-separated paths;
  a group each, named after the file; default none), ``tinybert_spark_conn_id`` (default spark_default; its host is the master, its extras the
  deploy mode and queue), ``tinybert_spark_conf`` (JSON object of Spark properties over the defaults, which follow
  deploy/spark/submit.sh), ``tinybert_retries`` (default 2), ``tinybert_retry_delay_minutes`` (default 10),
  ``tinybert_finetune_teacher`` (true: fine-tune each task's teacher from BERT-base first; default false),
  ``tinybert_infer`` (true: score a table with each task's student last; default false),
  ``tinybert_task_file_augment`` (true: augment each task file's train table into its train-aug table first;
  default false), and the infer tables'
  columns ``tinybert_infer_text_column`` (default text), ``tinybert_infer_text_pair_column`` (pair tasks; default
  text_pair), ``tinybert_infer_id_column`` (default none);
- defaults of this DAG's params, rendered when a task runs, so a triggered run may override any of them:
  ``tinybert_app_jar``, ``tinybert_conf_root``, ``tinybert_glue_root``, ``tinybert_glove``, ``tinybert_mlm``,
  ``tinybert_teacher_root``, ``tinybert_general_student``, ``tinybert_output_root``, and for the optional steps
  ``tinybert_bert_base`` (finetune-teacher) and ``tinybert_infer_root`` (infer). A path without a Variable is a
  param without default, which a run must give.

Reruns are safe: a finished step does nothing when run again, a failed one resumes (task-distill from its last
checkpoint), so retries and cleared tasks need no cleanup. Only one run at a time, since runs share their outputs.
"""

import os
import sys
from datetime import datetime, timedelta

# Airflow puts the DAG folder on sys.path; this covers a DAG bundle that does not.
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import tinybert_dag_args as dag_args  # noqa: E402

try:  # Airflow 3
    from airflow.sdk import DAG, Param, TaskGroup, Variable
except ImportError:  # Airflow 2
    from airflow import DAG
    from airflow.models import Variable
    from airflow.models.param import Param
    from airflow.utils.task_group import TaskGroup
from airflow.providers.apache.spark.operators.spark_submit import SparkSubmitOperator  # noqa: E402

DAG_ID = "tinybert_task_distill"
VARIABLE_PREFIX = "tinybert_"


def _variables():
    # The second argument is the default in both Airflow 2 (default_var) and Airflow 3 (default).
    return {key: Variable.get(VARIABLE_PREFIX + key, None) for key in dag_args.SETTING_KEYS}


def _params(settings):
    params = {}
    for key, description in dag_args.paths(settings).items():
        if settings[key] is None:
            params[key] = Param(type="string", minLength=1, description=description)
        else:
            params[key] = Param(settings[key], type="string", minLength=1, description=description)
    return params


settings = dag_args.resolve(_variables())
# Paths as templates of the params, rendered per run (without a trailing slash, as dag_args.join makes them); the
# rest as the Variables had them.
templated = dict(settings, **{key: "{{ params.%s.rstrip('/') }}" % key for key in dag_args.paths(settings)})

with DAG(
    dag_id=DAG_ID,
    description="TinyBERT task distillation per GLUE task: [finetune-teacher,] augment, intermediate, prediction, "
                "evaluate[, infer]",
    doc_md=__doc__,
    schedule=None,
    start_date=datetime(2024, 1, 1),
    catchup=False,
    max_active_runs=1,
    params=_params(settings),
    default_args={"retries": settings["retries"],
                  "retry_delay": timedelta(minutes=settings["retry_delay_minutes"])},
    tags=["tinybert", "spark"],
) as dag:
    for task in dag_args.groups(settings):
        with TaskGroup(group_id=dag_args.group_id(task)):
            previous = None
            for step in dag_args.steps(settings, task):
                operator = SparkSubmitOperator(**dag_args.submit(templated, task, step))
                if previous is not None:
                    previous >> operator
                previous = operator
