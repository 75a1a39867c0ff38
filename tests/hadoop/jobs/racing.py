"""A map-only job whose task creates the job's own output directory, as a concurrent run
of the same job would while this one is still running."""

from streamflow.mr import MRJob, MRStep

OUTPUT = "/raced/out"


class Racing(MRJob):
    def steps(self):
        return [MRStep(mapper_cmd=f"hadoop fs -mkdir -p {OUTPUT} && cat")]


if __name__ == "__main__":
    Racing.run()
