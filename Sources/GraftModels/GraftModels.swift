import GraftNN
