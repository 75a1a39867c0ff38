"""A job whose mapper is a slow shell command, to interrupt mid-run."""

from streamflow.mr import MRJob, MRStep


class Sleepy(MRJob):
    def steps(self):
        return [MRStep(mapper_cmd="sleep 5")]


if __name__ == "__main__":
    Sleepy.run()
